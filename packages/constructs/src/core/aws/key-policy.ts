import type { PolicyStatement } from "./iam";

/**
 * A vault key's policy: the account administers the key (so IAM policies in the account decide who
 * uses it, as with any AWS-created key policy), and each named AWS service may use it to encrypt and
 * decrypt on the account's behalf (CloudWatch alarms and EventBridge publishing to an encrypted
 * topic, for example).
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export function vaultKeyPolicyStatements(args: { partition: string; account: string; services: readonly string[] }): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    {
      Sid: "AccountAdministersKey",
      Effect: "Allow",
      Principal: { AWS: `arn:${args.partition}:iam::${args.account}:root` },
      Action: ["kms:*"],
      Resource: ["*"],
    },
  ];
  if (args.services.length > 0) {
    statements.push({
      Sid: "ServicesUseKey",
      Effect: "Allow",
      Principal: { Service: [...args.services] },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: ["*"],
    });
  }
  return statements;
}
