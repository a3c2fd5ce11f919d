import { describe, expect, it } from "vitest";
import { doSpacesPrivate, doSpacesRetention, doSpacesVersioning } from "../src";
import { onStack, summary } from "./fixtures/judge";
import { compliantStack, res, withProps } from "./fixtures/pulumi-stack";

const stack = compliantStack();

describe("do-spaces-versioning", () => {
  it("passes a versioned Spaces vault and ignores Spaces that are not vaults", () => {
    expect(onStack(doSpacesVersioning, stack)).toEqual([]);
    expect(onStack(doSpacesVersioning, [res("digitalocean:index/spacesBucket:SpacesBucket", "cdn-assets", { name: "cdn-assets", region: "fra1" })])).toEqual([]);
  });
  it("fails a Spaces vault without versioning", () => {
    expect(summary(onStack(doSpacesVersioning, withProps(stack, "do-backups", (p) => ({ ...p, versioning: { enabled: false } }))))).toEqual(["do-backups: Versioning is off on this Spaces vault."]);
  });
});

describe("do-spaces-private", () => {
  it("passes a private Space", () => {
    expect(onStack(doSpacesPrivate, stack)).toEqual([]);
  });
  it("fails a public-read ACL and a policy allowing everyone", () => {
    expect(summary(onStack(doSpacesPrivate, withProps(stack, "do-backups", (p) => ({ ...p, acl: "public-read" }))))).toEqual(['do-backups: The Space\'s ACL is "public-read".']);
    const policy = res("digitalocean:index/spacesBucketPolicy:SpacesBucketPolicy", "do-backups-policy", {
      bucket: "do-backups",
      region: "fra1",
      policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::do-backups/*" }] }),
    });
    expect(summary(onStack(doSpacesPrivate, [...stack, policy]))).toEqual(['do-backups: A bucket policy allows everyone (Principal "*").']);
  });
});

describe("do-spaces-retention", () => {
  const lifecycle = (rules: unknown[]) => (p: Record<string, unknown>) => ({ ...p, lifecycleRules: rules });
  it("passes expiry at 35 days with noncurrent versions kept 30", () => {
    expect(onStack(doSpacesRetention, stack)).toEqual([]);
    expect(onStack(doSpacesRetention, stack, { maximumRetentionDays: 65 })).toEqual([]);
  });
  it.each([
    ["an expiry under the minimum", [{ enabled: true, expiration: { days: 7 } }], "expires backups after 7 days, less than the minimum of 30 days."],
    ["noncurrent versions kept 2 days", [{ enabled: true, expiration: { days: 35 }, noncurrentVersionExpiration: { days: 2 } }], "deletes noncurrent versions after 2 days"],
    ["an expiry on a date", [{ enabled: true, expiration: { date: "2027-01-01" } }], "expires every backup on 2027-01-01, whatever its age."],
  ])("fails %s", (_, rules, message) => {
    const findings = onStack(doSpacesRetention, withProps(stack, "do-backups", lifecycle(rules)));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(message);
  });
  it("fails objects kept past the maximum, or never expired", () => {
    expect(summary(onStack(doSpacesRetention, stack, { maximumRetentionDays: 60 }))).toEqual(["do-backups: Objects are deleted for good after 65 days (35 days current + 30 days noncurrent), more than the maximum of 60 days."]);
    const prefixOnly = withProps(stack, "do-backups", lifecycle([{ enabled: true, prefix: "pg/", expiration: { days: 35 }, noncurrentVersionExpiration: { days: 30 } }]));
    expect(onStack(doSpacesRetention, prefixOnly, { maximumRetentionDays: 400 })[0]?.message).toContain("No enabled lifecycle rule covering every object expires it");
  });
});
