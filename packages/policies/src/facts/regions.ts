/** The region in an ARN (`arn:aws:kms:us-west-2:...`), when it has one. */
export function regionOfArn(arn: unknown): string | undefined {
  if (typeof arn !== "string" || !arn.startsWith("arn:")) return undefined;
  const region = arn.split(":")[3];
  return region && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) ? region : undefined;
}
