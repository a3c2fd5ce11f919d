import * as iam from "aws-cdk-lib/aws-iam";
import { policyDocument, type PolicyStatement } from "../core";

/** A core policy document as a CDK `PolicyDocument`; ARNs in the statements may be tokens. */
export function cdkPolicyDocument(statements: readonly PolicyStatement[]): iam.PolicyDocument {
  return iam.PolicyDocument.fromJson(policyDocument(statements));
}

/**
 * Adds core's identity-policy statements to a principal's policy and returns the grant, as
 * aws-cdk-lib's `grant*` methods do.
 */
export function grantStatements(grantee: iam.IGrantable, statements: readonly PolicyStatement[]): iam.Grant {
  const grants = statements.map((s) =>
    iam.Grant.addToPrincipal({
      grantee,
      actions: [...s.Action],
      resourceArns: [...(s.Resource ?? ["*"])],
      ...(s.Condition ? { conditions: s.Condition as Record<string, Record<string, unknown>> } : {}),
    }),
  );
  return grants.slice(1).reduce((all, g) => all.combine(g), grants[0] as iam.Grant);
}
