/** Where a fact was read from. */
export type FactSource = "pulumi" | "cloudformation";

/**
 * What every fact has: the resource it judges (a Pulumi URN or a CloudFormation logical id), its
 * type token as the source wrote it, its name, region and tags, and which of its fields could not
 * be known yet (values computed at deploy time, during a preview).
 */
export interface FactBase {
  /** The URN (Pulumi) or logical id (CloudFormation) a finding names. */
  readonly id: string;
  /** The type token: `aws:s3/bucket:Bucket`, `AWS::S3::Bucket`. */
  readonly type: string;
  /** The resource's name in the program (Pulumi) or its logical id (CloudFormation). */
  readonly name: string;
  readonly source: FactSource;
  /** The region the resource is created in, when it can be told. */
  readonly region?: string;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Fields (dot paths such as `encryption.kmsKeyId`) whose value is computed at deploy time. A
   * finding about such a field is reported as advisory, "known after deploy", never as a violation.
   */
  readonly unknown: ReadonlySet<string>;
}

/** The value adapters put in place of a string that is only known after deploy. */
export const UNKNOWN_VALUE = "(known after deploy)";
