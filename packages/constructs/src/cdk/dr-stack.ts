import { Stack, Stage, Token } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { checkRegion, Problems } from "../core";

/**
 * The stack in `region` that holds what a primary stack keeps in its disaster-recovery region (the
 * replica vault and its key, the DR Backup vault), created once per primary stack and region as a
 * sibling in the same stage, like CodePipeline's cross-region support stacks. The primary depends on
 * it, so `cdk deploy` creates it first.
 *
 * Cross-region references: a KMS key's ARN holds a random key id that no name predicts, and S3 and
 * IAM need the replica key's ARN (an alias ARN is not accepted as an IAM resource), so both stacks
 * use `crossRegionReferences`; the replica bucket also gets an explicit physical name, so its ARN is
 * known without a lookup.
 */
export function drStackFor(scope: Construct, region: string, subject: string): Stack {
  const primary = Stack.of(scope);
  const problems = new Problems();
  checkRegion(region, "region", problems);
  if (Token.isUnresolved(primary.account) || Token.isUnresolved(primary.region)) {
    problems.add(
      "env",
      { account: primary.account, region: primary.region },
      `of the stack "${primary.node.path}" must name its account and region: the DR region's resources live in a second stack that refers to them. Pass env: { account: "123456789012", region: "us-east-1" }.`,
    );
  } else if (region === primary.region) {
    problems.add("region", region, `must differ from the stack's region (${primary.region}): a copy in the same region does not survive a regional outage.`);
  }
  if (!(primary as unknown as { _crossRegionReferences?: boolean })._crossRegionReferences) {
    problems.add("crossRegionReferences", false, `must be true on the stack "${primary.node.path}": it refers to the replica key in ${region}, whose ARN only a cross-region reference can carry. Pass crossRegionReferences: true in its props.`);
  }
  problems.throwIfAny(subject);
  const stage = Stage.of(primary) ?? (primary.node.root as Stage);
  const id = `${primary.node.id}-dr-${region}`;
  const existing = stage.node.tryFindChild(id);
  if (existing) return existing as Stack;
  const dr = new Stack(stage, id, {
    env: { account: primary.account, region },
    stackName: `${primary.stackName}-dr-${region}`,
    crossRegionReferences: true,
    description: `Lifeboat: the disaster-recovery region's resources of ${primary.stackName}`,
  });
  primary.addStackDependency(dr, "the primary refers to the replica vault and keys in the DR region");
  return dr;
}
