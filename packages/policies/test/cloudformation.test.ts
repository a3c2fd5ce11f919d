import { describe, expect, it } from "vitest";
import { factsFromTemplate, mentionedIds, resolveIntrinsics } from "../src";
import { compliantTemplate } from "./fixtures/template";

const ctx = { parameters: { Retention: 14 } };

describe("resolveIntrinsics", () => {
  it("reads Ref and Fn::GetAtt as the logical ids they name", () => {
    expect(resolveIntrinsics({ Ref: "Bucket" }, ctx)).toBe("${Bucket}");
    expect(resolveIntrinsics({ "Fn::GetAtt": ["Bucket", "Arn"] }, ctx)).toBe("${Bucket.Arn}");
    expect(resolveIntrinsics({ "Fn::GetAtt": "Bucket.Arn" }, ctx)).toBe("${Bucket.Arn}");
  });
  it("expands Fn::Join and Fn::Sub, pseudo parameters and parameter defaults", () => {
    expect(resolveIntrinsics({ "Fn::Join": ["", [{ "Fn::GetAtt": ["Bucket", "Arn"] }, "/*"]] }, ctx)).toBe("${Bucket.Arn}/*");
    expect(resolveIntrinsics({ "Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/${Suffix}" }, ctx)).toBe("arn:aws:s3:::${Bucket}/${Suffix}");
    expect(resolveIntrinsics({ "Fn::Sub": ["${Name}-x", { Name: { Ref: "Bucket" } }] }, ctx)).toBe("${Bucket}-x");
    expect(resolveIntrinsics({ Ref: "Retention" }, ctx)).toBe("14");
    expect(resolveIntrinsics({ "Fn::Sub": "${AWS::Region}" }, { ...ctx, region: "eu-west-1" })).toBe("eu-west-1");
  });
  it("marks functions it cannot resolve offline", () => {
    expect(resolveIntrinsics({ "Fn::If": ["C", 1, 2] }, ctx)).toBe("${?}");
    expect(resolveIntrinsics({ "Fn::ImportValue": "x" }, ctx)).toBe("${?}");
  });
  it("finds the ids a value mentions", () => {
    expect([...mentionedIds(["arn:aws:rds:${AWS::Region}:x:db:${Database}", "${Cluster.Arn}"])]).toEqual(["Database", "Cluster"]);
  });
});

describe("factsFromTemplate", () => {
  it("merges a bucket policy onto its bucket through Ref, and reads ARNs written with GetAtt", () => {
    const facts = factsFromTemplate(compliantTemplate());
    const bucket = facts.buckets[0];
    expect(bucket?.parts).toEqual({ policy: "VaultBucketPolicy" });
    expect(bucket?.policy?.[0]?.resources).toEqual(["${VaultBucket.Arn}", "${VaultBucket.Arn}/*"]);
    expect(bucket?.encryption).toEqual({ algorithm: "aws:kms", kmsKeyId: "${VaultKey.Arn}", keyInStack: true, bucketKeyEnabled: true });
  });
  it("reads a copy destination's region from a Fn::Sub ARN", () => {
    expect(factsFromTemplate(compliantTemplate()).backupPlans[0]?.rules[0]?.copies[0]?.destinationRegion).toBe("us-west-2");
  });
  it("reads a database's final snapshot from DeletionPolicy, defaulting to Snapshot", () => {
    const facts = factsFromTemplate(compliantTemplate());
    expect(facts.databases.map((d) => [d.id, d.finalSnapshot])).toEqual([["Database", true], ["Cluster", true]]);
  });
});
