import type { BucketFact, PolicyStatement } from "../../facts";
import type { Rule, Violation } from "../../engine/rule";
import { vaults } from "../support/vaults";

/** `true` when the statement denies every S3 action to everyone on requests without TLS. */
function deniesInsecureTransport(s: PolicyStatement): boolean {
  if (s.effect !== "Deny" || !s.principals.includes("*")) return false;
  if (!s.actions.some((a) => a === "*" || a === "s3:*")) return false;
  const bool = s.conditions.Bool ?? s.conditions.bool;
  return (bool?.["aws:securetransport"] ?? []).some((v) => v.toLowerCase() === "false");
}

function covers(statements: readonly PolicyStatement[], bucket: BucketFact, suffix: string): boolean {
  const targets = new Set(["*", "arn:aws:s3:::*", ...bucket.arns.map((a) => `${a}${suffix}`)]);
  return statements.some((s) => s.resources.some((r) => targets.has(r)));
}

/** A vault refuses every request not sent over TLS. */
export const s3VaultTlsOnly: Rule = {
  id: "s3-vault-tls-only",
  area: "s3",
  description: "Backup vault buckets have a policy that denies every S3 action without TLS, on the bucket and its objects.",
  cause: "No bucket policy, or no statement that denies s3:* to everyone when aws:SecureTransport is false on both the bucket ARN and bucket/*.",
  explanation: "Without it a client can read or write backups over plain HTTP, where credentials, data and object keys can be observed or altered in transit.",
  enforcement: "mandatory",
  settings: ["vaultBuckets", "vaultNamePatterns"],
  scope: "stack",
  appliesTo: "aws:s3/bucket:Bucket (+ BucketPolicy), AWS::S3::Bucket (+ AWS::S3::BucketPolicy)",
  check(facts, settings) {
    const fix =
      'Add a bucket policy statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [<bucket ARN>, "<bucket ARN>/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } } (CDK: enforceSSL: true).';
    return vaults(facts.buckets, settings).flatMap((b): Violation[] => {
      if (b.policyUnreadable) return [{ subject: b, property: "policy", message: `The bucket policy cannot be read (${b.policyUnreadable}).`, actual: b.policyUnreadable, fix }];
      if (!b.policy) return [{ subject: b, property: "policy", message: "The backup vault has no bucket policy, so requests without TLS are allowed.", actual: null, fix }];
      const denies = b.policy.filter(deniesInsecureTransport);
      if (denies.length === 0) return [{ subject: b, property: "policy", message: "The bucket policy does not deny requests without TLS (aws:SecureTransport false).", actual: b.policy.map((s) => s.sid ?? s.effect), fix }];
      const missing = [covers(denies, b, "") ? "" : "the bucket", covers(denies, b, "/*") ? "" : "its objects (bucket/*)"].filter(Boolean);
      if (missing.length > 0) return [{ subject: b, property: "policy", message: `The TLS-only statement does not cover ${missing.join(" or ")}.`, actual: denies.flatMap((s) => s.resources), fix }];
      return [];
    });
  },
};
