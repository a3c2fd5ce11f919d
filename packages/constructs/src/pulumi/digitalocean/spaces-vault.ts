import * as pulumi from "@pulumi/pulumi";
import { SpacesBucket } from "@pulumi/digitalocean/spacesBucket";
import { SpacesKey } from "@pulumi/digitalocean/spacesKey";
import { designSpacesVault, type SpacesAccess, spacesEndpoint, spacesKeyGrants, type SpacesVaultDesign, type SpacesVaultSettings } from "../../core/digitalocean";

/** Arguments of a {@link SpacesVault}; every setting is declared once in core ({@link SpacesVaultSettings}). */
export interface SpacesVaultArgs extends Omit<SpacesVaultSettings, "bucketName"> {
  /** @default - a unique name derived from the component's name */
  readonly bucketName?: pulumi.Input<string>;
}

/**
 * A versioned, private Spaces bucket whose lifecycle enforces the retention tiers. Spaces filters
 * lifecycle rules by prefix only, so the jobs write each backup under its tier's prefix
 * (`daily/<source>/...`) and one rule per prefix expires it; noncurrent versions, expired delete
 * markers and unfinished uploads are cleaned up on every key. Spaces cannot encrypt with a key you
 * hold: the jobs encrypt backups with age before upload.
 *
 * @see https://docs.digitalocean.com/products/spaces/
 *
 * @example
 * const vault = new SpacesVault("backups", { region: "nyc3", retention: { daily: "30d", weekly: "90d", monthly: "1y" } });
 * const writer = vault.grant("runner", "readwrite");
 */
export class SpacesVault extends pulumi.ComponentResource {
  readonly bucket: SpacesBucket;
  readonly bucketName: pulumi.Output<string>;
  /** The S3-compatible endpoint the jobs use. */
  readonly endpoint: string;
  readonly design: SpacesVaultDesign;
  private readonly componentName: string;

  constructor(name: string, args: SpacesVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    const design = designSpacesVault(args, `SpacesVault "${name}"`);
    super("lifeboat:digitalocean:SpacesVault", name, {}, opts);
    this.design = design;
    this.componentName = name;
    const b = design.bucket;
    this.bucket = new SpacesBucket(
      `${name}-bucket`,
      {
        ...(args.bucketName !== undefined ? { name: args.bucketName } : {}),
        region: b.region,
        acl: b.acl,
        versioning: b.versioning,
        forceDestroy: b.forceDestroy,
        lifecycleRules: b.lifecycleRules.map((r) => ({
          id: r.id,
          enabled: r.enabled,
          ...(r.prefix !== undefined ? { prefix: r.prefix } : {}),
          ...(r.expirationDays !== undefined || r.expiredObjectDeleteMarker ? { expiration: { ...(r.expirationDays !== undefined ? { days: r.expirationDays } : {}), ...(r.expiredObjectDeleteMarker ? { expiredObjectDeleteMarker: true } : {}) } } : {}),
          ...(r.noncurrentVersionExpirationDays !== undefined ? { noncurrentVersionExpiration: { days: r.noncurrentVersionExpirationDays } } : {}),
          ...(r.abortIncompleteMultipartUploadDays !== undefined ? { abortIncompleteMultipartUploadDays: r.abortIncompleteMultipartUploadDays } : {}),
        })),
      },
      { parent: this },
    );
    this.bucketName = this.bucket.name;
    this.endpoint = spacesEndpoint(b.region);
    this.registerOutputs({ bucketName: this.bucketName, endpoint: this.endpoint });
  }

  /**
   * A Spaces key limited to this bucket: `readwrite` for the backup runner, `read` for verification
   * or restores elsewhere. Its secret is a secret output.
   */
  grant(role: string, access: SpacesAccess): SpacesKey {
    return new SpacesKey(`${this.componentName}-${role}-key`, { name: pulumi.interpolate`${this.bucketName}-${role}`, grants: spacesKeyGrants(this.bucketName, access, `SpacesVault.grant("${role}")`) }, { parent: this });
  }
}
