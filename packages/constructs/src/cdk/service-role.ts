import * as iam from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import { type PolicyStatement, serviceTrustPolicy } from "../core";
import { cdkPolicyDocument } from "./policy";

/**
 * An IAM role that an AWS service assumes, with core's trust policy (scoped to the account when
 * `account` is given) and core's statements as its inline policy.
 */
export function serviceRole(scope: Construct, id: string, args: { service: string; account?: string; description: string; statements?: readonly PolicyStatement[]; roleName?: string }): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal(args.service),
    description: args.description,
    ...(args.roleName !== undefined ? { roleName: args.roleName } : {}),
    ...(args.statements ? { inlinePolicies: { lifeboat: cdkPolicyDocument(args.statements) } } : {}),
  });
  // Core's trust policy, with its aws:SourceAccount condition, replaces the L2's bare one.
  (role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = serviceTrustPolicy(args.service, args.account);
  return role;
}
