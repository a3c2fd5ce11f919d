import type { Rule, Violation } from "../../engine/rule";

/** Spaces buckets are not readable by everyone. */
export const doSpacesPrivate: Rule = {
  id: "do-spaces-private",
  area: "digitalocean",
  description: "DigitalOcean Spaces buckets are private: no public-read ACL and no bucket policy that allows everyone.",
  cause: 'acl "public-read", or a SpacesBucketPolicy with an Allow statement for Principal "*".',
  explanation: "A public Space exposes every object in it to anyone who guesses or lists a key; backups are full copies of your data.",
  enforcement: "mandatory",
  settings: [],
  scope: "stack",
  appliesTo: "digitalocean:index/spacesBucket:SpacesBucket (+ SpacesBucketPolicy)",
  check(facts) {
    const out: Violation[] = [];
    for (const b of facts.spacesBuckets) {
      if (b.acl !== "private") out.push({ subject: b, property: "acl", message: `The Space's ACL is "${b.acl}".`, actual: b.acl, fix: 'Set acl: "private".' });
      if (b.publicPolicy) out.push({ subject: b, property: "policy", message: "A bucket policy allows everyone (Principal \"*\").", actual: "Allow *", fix: "Remove the public statement; grant named keys only." });
    }
    return out;
  },
};
