import { Problems } from "../errors";

/** DigitalOcean region slugs that run droplets and managed databases. */
export const DO_REGIONS: readonly string[] = ["ams3", "atl1", "blr1", "fra1", "lon1", "nyc1", "nyc2", "nyc3", "sfo2", "sfo3", "sgp1", "syd1", "tor1"];

/**
 * Regions that offer Spaces.
 * @see https://docs.digitalocean.com/platform/regional-availability/
 */
export const SPACES_REGIONS: readonly string[] = ["ams3", "atl1", "blr1", "fra1", "lon1", "nyc3", "sfo2", "sfo3", "sgp1", "syd1", "tor1"];

/** Records a problem unless `region` is a DigitalOcean region slug (of `allowed`, every region by default). */
export function checkDoRegion(region: unknown, argument: string, problems: Problems, allowed: readonly string[] = DO_REGIONS, what = "a DigitalOcean region"): region is string {
  if (typeof region === "string" && allowed.includes(region)) return true;
  problems.add(argument, region, `is not ${what}; use one of ${allowed.join(", ")}.`);
  return false;
}

/** The S3-compatible endpoint of Spaces in `region`. */
export function spacesEndpoint(region: string): string {
  return `https://${region}.digitaloceanspaces.com`;
}

/**
 * The signing region the AWS SDK uses against Spaces: Spaces ignores it, and the endpoint names the
 * real region.
 */
export const SPACES_SIGNING_REGION = "us-east-1";
