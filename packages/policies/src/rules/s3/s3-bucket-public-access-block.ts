import type { Rule, Violation } from "../../engine/rule";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const PUBLIC_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);

/** Every bucket blocks public access four ways and grants no public ACL. */
export const s3BucketPublicAccessBlock: Rule = {
  id: "s3-bucket-public-access-block",
  area: "s3",
  description: "Buckets have all four public access blocks on and no public canned ACL.",
  cause: "No public access block, any of blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets false, or a public-read, public-read-write or authenticated-read ACL.",
  explanation: "A backup is a full copy of your data: one public ACL or policy exposes all of it. The four blocks make a later mistake in a policy or ACL harmless.",
  enforcement: "mandatory",
  settings: [],
  scope: "stack",
  appliesTo: "aws:s3/bucket:Bucket (+ BucketPublicAccessBlock, BucketAclV2), aws:s3/bucketV2:BucketV2, AWS::S3::Bucket",
  check(facts) {
    const out: Violation[] = [];
    const fix = "Add an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true (CloudFormation: PublicAccessBlockConfiguration).";
    for (const b of facts.buckets) {
      if (!b.publicAccessBlock) {
        out.push({ subject: b, property: "publicAccessBlock", message: "The bucket has no public access block.", actual: null, fix });
      } else {
        const off = FLAGS.filter((f) => !b.publicAccessBlock?.[f]);
        if (off.length > 0) out.push({ subject: b, property: "publicAccessBlock", message: `Public access blocks off: ${off.join(", ")}.`, actual: b.publicAccessBlock, fix });
      }
      if (b.acl && PUBLIC_ACLS.has(b.acl)) {
        out.push({ subject: b, property: "acl", message: `The bucket grants the canned ACL "${b.acl}".`, actual: b.acl, fix: 'Remove the ACL or set it to "private", and enforce bucket ownership (BucketOwnerEnforced) so ACLs are ignored.' });
      }
    }
    return out;
  },
};
