/** `true` for a reference to an AWS managed key (`alias/aws/s3`, `arn:...:alias/aws/rds`). */
export function isAwsManagedKey(keyId: string): boolean {
  return /(^|:)alias\/aws\//.test(keyId);
}
