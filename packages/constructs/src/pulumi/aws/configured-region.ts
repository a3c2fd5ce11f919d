import * as pulumi from "@pulumi/pulumi";

/**
 * The region Pulumi's default AWS provider uses, when it can be known before deploying: the
 * `aws:region` config, else AWS_REGION or AWS_DEFAULT_REGION. Used to refuse a DR region equal to the
 * primary before anything is created; components also check it at deploy time through providers.
 */
export function configuredRegion(opts?: pulumi.ComponentResourceOptions): string | undefined {
  if (opts?.provider !== undefined || opts?.providers !== undefined) return undefined;
  return new pulumi.Config("aws").get("region") ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}
