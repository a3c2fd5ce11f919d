import { Problems } from "../errors";

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** Records a problem unless `region` looks like an AWS region code (`us-east-1`, `eu-central-2`). */
export function checkRegion(region: unknown, argument: string, problems: Problems): region is string {
  if (typeof region === "string" && REGION.test(region)) return true;
  problems.add(argument, region, 'is not an AWS region code; write it like "us-west-2" or "eu-central-1".');
  return false;
}

/** The partition a region belongs to: `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-iso-")) return "aws-iso";
  return "aws";
}

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/**
 * Records a problem unless `arn` is the ARN of a KMS key. Aliases and key ids are refused: S3's
 * `s3:x-amz-server-side-encryption-aws-kms-key-id` condition compares full key ARNs.
 */
export function checkKmsKeyArn(arn: string, argument: string, problems: Problems): void {
  if (/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\/aws\//.test(arn) || arn.startsWith("alias/aws/")) {
    problems.add(argument, arn, "is an AWS managed key, which the account cannot administer, audit or share with a replica; pass a customer managed key's ARN, or omit the key to have one created.");
  } else if (!KMS_KEY_ARN.test(arn)) {
    problems.add(argument, arn, 'must be the full ARN of a customer managed KMS key, like "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" (not an alias or a bare key id).');
  }
}

/** Records a problem unless `alias` is a valid customer alias name (`alias/...`, not `alias/aws/...`). */
export function checkKmsAlias(alias: string, argument: string, problems: Problems): void {
  if (!alias.startsWith("alias/") || alias.startsWith("alias/aws/") || !/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(alias)) {
    problems.add(argument, alias, 'must start with "alias/", not "alias/aws/" (reserved for AWS), and use only letters, digits, "/", "_" and "-" (up to 256 characters).');
  }
}

/** Records a problem unless `principal` is an AWS service principal such as `cloudwatch.amazonaws.com`. */
export function checkServicePrincipal(principal: string, argument: string, problems: Problems): void {
  if (!/^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/.test(principal)) {
    problems.add(argument, principal, 'is not an AWS service principal; write it like "cloudwatch.amazonaws.com".');
  }
}

/**
 * Records a problem unless `name` is a bucket name S3 accepts. Dots are refused too: they break TLS
 * certificate matching for virtual-hosted requests, and a vault only speaks TLS.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function checkBucketName(name: string, argument: string, problems: Problems): void {
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name) || name.startsWith("xn--") || name.endsWith("-s3alias") || name.endsWith("--ol-s3")) {
    problems.add(argument, name, 'is not a valid vault bucket name: use 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit (no dots, no "xn--" prefix).');
  }
}

/**
 * Checks a key prefix inside a vault (`"postgres-main"`, `"app/uploads/"`) and returns it ending in
 * `/`, or `""` for the whole vault. The trailing slash keeps a grant on `app` from reaching `app-old`.
 */
export function checkPrefix(prefix: string, argument: string, problems: Problems): string {
  if (prefix === "") return "";
  if (prefix.startsWith("/") || /[*?\\]|\/\/|\s/.test(prefix) || prefix.length > 512) {
    problems.add(argument, prefix, 'must be a plain key prefix like "postgres-main/": no leading "/", no "//", no wildcards or spaces.');
    return prefix;
  }
  return prefix.endsWith("/") ? prefix : `${prefix}/`;
}

/** Records a problem unless `address` looks like an email address. */
export function checkEmail(address: string, argument: string, problems: Problems): void {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
    problems.add(argument, address, 'is not an email address; write it like "oncall@example.com".');
  }
}

/** Records a problem unless `url` is an absolute `https://` URL: alerts never travel in clear text. */
export function checkHttpsUrl(url: string, argument: string, problems: Problems): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.protocol !== "https:") {
    problems.add(argument, url, 'must be an absolute https:// URL, like "https://events.pagerduty.com/integration/KEY/enqueue": alerts never travel in clear text.');
  }
}
