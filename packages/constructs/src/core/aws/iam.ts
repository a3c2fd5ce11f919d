/**
 * IAM policy documents in AWS's own JSON shape, so they serialize as they are and CDK's
 * `PolicyStatement.fromJson` reads them.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | { readonly AWS?: string | readonly string[]; readonly Service?: string | readonly string[] };
  readonly Action: readonly string[];
  /** Absent only in trust policies, which apply to the role that holds them. */
  readonly Resource?: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export function policyDocument(statements: readonly PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The trust policy that lets an AWS service assume a role; with `account`, only on behalf of that
 * account (`aws:SourceAccount`, against the confused deputy). Lambda sets no source account when it
 * assumes an execution role, so its trust takes none.
 */
export function serviceTrustPolicy(service: string, account?: string): PolicyDocument {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Service: service },
      Action: ["sts:AssumeRole"],
      ...(account !== undefined ? { Condition: { StringEquals: { "aws:SourceAccount": account } } } : {}),
    },
  ]);
}
