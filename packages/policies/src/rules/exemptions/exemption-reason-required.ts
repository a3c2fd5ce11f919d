import { allFacts } from "../../facts";
import { isReason, taggedExemptions } from "../../engine/exemptions";
import type { Rule, Violation } from "../../engine/rule";
import { EXEMPT_REASON_TAG, EXEMPT_TAG, MIN_REASON_LENGTH } from "../../engine/settings";

/** Every exemption says why. */
export const exemptionReasonRequired: Rule = {
  id: "exemption-reason-required",
  area: "exemptions",
  description: `Every exemption gives a reason of at least ${MIN_REASON_LENGTH} characters: the \`${EXEMPT_REASON_TAG}\` tag beside a \`${EXEMPT_TAG}\` tag, or \`reason\` in a configuration exemption.`,
  cause: `A resource tagged \`${EXEMPT_TAG}\` without a \`${EXEMPT_REASON_TAG}\` tag of at least ${MIN_REASON_LENGTH} characters, or a configuration exemption without such a \`reason\`. The exemption is not applied.`,
  explanation: "An exemption without a reason cannot be reviewed, and an exemption nobody can review is a hole in the rules that stays open forever.",
  enforcement: "mandatory",
  settings: [],
  scope: "stack",
  appliesTo: "every resource with tags; the configuration's exemptions",
  check(facts, settings) {
    const out: Violation[] = [];
    for (const f of allFacts(facts)) {
      const ids = taggedExemptions(f.tags);
      if (ids.length > 0 && !isReason(f.tags[EXEMPT_REASON_TAG])) {
        out.push({ subject: f, message: `The resource is exempted from ${ids.join(", ")} without a reason, so the exemption is not applied.`, actual: f.tags[EXEMPT_REASON_TAG] ?? null, fix: `Add a tag ${EXEMPT_REASON_TAG} saying why, in at least ${MIN_REASON_LENGTH} characters (a ticket and an end date help).` });
      }
    }
    settings.exemptions.forEach((e, i) => {
      if (!isReason(e.reason)) {
        out.push({
          subject: { id: `config:exemptions[${i}]`, type: "lifeboat:config:Exemption", name: `exemptions[${i}] (${e.resources})`, tags: {}, unknown: new Set() },
          message: `The configuration exemption for "${e.resources}" has no reason, so it is not applied.`,
          actual: e.reason ?? null,
          fix: `Give the exemption a \`reason\` of at least ${MIN_REASON_LENGTH} characters.`,
        });
      }
    });
    return out;
  },
};
