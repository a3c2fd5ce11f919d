import type { SourcePlan } from "./objectives";
import type { RestoreCommand } from "./posture";

/** What is deployed for a source, by name, as the restore commands need it. */
export interface RestoreContext {
  readonly source: SourcePlan;
  readonly primaryRegion: string;
  readonly drRegion: string;
  /** The job configuration file the `lifeboat` command line reads (the jobs' own configuration). */
  readonly configFile: string;
  /** The replica vault's bucket, for restores in the DR region. */
  readonly replicaBucket?: string;
  readonly rds?: {
    readonly identifier: string;
    readonly kind: "instance" | "cluster";
    /** The ARN of the automated backups replicated to the DR region (RDS instances). */
    readonly replicatedBackupsArn?: string;
    readonly database?: string;
  };
  readonly elasticache?: { readonly replicationGroupId: string };
  readonly awsBackup?: { readonly vaultName: string; readonly drVaultName?: string; readonly restoreRoleArn: string };
  /** Where an objects source's bucket is, for restoring back into it. */
  readonly objectsBucket?: string;
  /**
   * How the restored database or cache is reached, when not the engine's usual port in the clear.
   * @default - PostgreSQL on 5432, Redis on 6379, without TLS, no user named for Redis
   */
  readonly targetEndpoint?: { readonly port: number; readonly tls: boolean; readonly user?: string };
  /**
   * The second copy of the logical backups (`replicaBucket`): how the runbook names it and the job
   * configuration that points at it.
   * @default - the replica vault in the DR region, read with `lifeboat-dr.json` (a copy of `configFile` with `vault.bucket` and `vault.region` changed)
   */
  readonly replicaCopy?: { readonly description: string; readonly configFile: string };
}

const shell = (value: string) => (/^[A-Za-z0-9_./:@=-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`);

/**
 * The exact commands to restore a source, best method first: the `lifeboat` command line for
 * logical backups, RDS point-in-time restore, ElastiCache snapshot restore and AWS Backup restore,
 * each also into the DR region where a copy lives there. Placeholders are in angle brackets and
 * named (`<restore-time>`); nothing secret is ever printed.
 */
export function restoreCommands(ctx: RestoreContext): RestoreCommand[] {
  const { source } = ctx;
  const commands: RestoreCommand[] = [];
  const lifeboat = (target: string, extra = "") =>
    `LIFEBOAT_CONFIG_FILE=${shell(ctx.configFile)} lifeboat restore --source ${source.name} --at latest --target ${target}${extra}`;

  for (const method of source.methods) {
    if (method.method === "pitr" && ctx.rds) {
      const { identifier } = ctx.rds;
      if (ctx.rds.kind === "instance") {
        commands.push({
          description: `Point-in-time restore of ${identifier} to a new instance in ${ctx.primaryRegion} (use --restore-time <restore-time> for an earlier point)`,
          command: `aws rds restore-db-instance-to-point-in-time --region ${ctx.primaryRegion} --source-db-instance-identifier ${identifier} --target-db-instance-identifier ${identifier}-restored --use-latest-restorable-time`,
        });
        if (ctx.rds.replicatedBackupsArn) {
          commands.push({
            description: `Region lost: point-in-time restore from the automated backups replicated to ${ctx.drRegion}`,
            command: `aws rds restore-db-instance-to-point-in-time --region ${ctx.drRegion} --source-db-instance-automated-backups-arn ${ctx.rds.replicatedBackupsArn} --target-db-instance-identifier ${identifier}-dr --use-latest-restorable-time`,
          });
        }
      } else {
        commands.push({
          description: `Point-in-time restore of the cluster ${identifier} to a new cluster in ${ctx.primaryRegion}, then add an instance to it`,
          command: `aws rds restore-db-cluster-to-point-in-time --region ${ctx.primaryRegion} --source-db-cluster-identifier ${identifier} --db-cluster-identifier ${identifier}-restored --use-latest-restorable-time && aws rds create-db-instance --region ${ctx.primaryRegion} --db-cluster-identifier ${identifier}-restored --db-instance-identifier ${identifier}-restored-1 --db-instance-class <instance-class> --engine aurora-postgresql`,
        });
      }
    }
    if (method.method === "snapshot" && ctx.elasticache) {
      const id = ctx.elasticache.replicationGroupId;
      commands.push(
        { description: `List ${id}'s snapshots, newest last`, command: `aws elasticache describe-snapshots --region ${ctx.primaryRegion} --replication-group-id ${id} --query 'sort_by(Snapshots,&NodeSnapshots[0].SnapshotCreateTime)[].SnapshotName'` },
        {
          description: "Create a new replication group from the newest snapshot",
          command: `aws elasticache create-replication-group --region ${ctx.primaryRegion} --replication-group-id ${id}-restored --replication-group-description 'Restored by Lifeboat runbook' --snapshot-name <snapshot-name> --cache-node-type <node-type> --engine redis --transit-encryption-enabled --at-rest-encryption-enabled`,
        },
      );
    }
    if (method.method === "logical") {
      const database = ctx.rds?.database ?? "<database>";
      const at = ctx.targetEndpoint;
      const target =
        source.kind === "postgres"
          ? `postgresql://${at?.user ?? "<user>"}@<restored-host>:${at?.port ?? 5432}/${database}${at?.tls ? "?sslmode=require" : ""}`
          : source.kind === "redis"
            ? `${at?.tls ? "rediss" : "redis"}://${at?.user !== undefined ? `${at.user}:<password>@` : ""}<restored-host>:${at?.port ?? 6379}`
            : `s3://${ctx.objectsBucket ?? "<bucket>"}`;
      commands.push({ description: "Check what would be restored, touching nothing", command: lifeboat(target, " --dry-run") });
      commands.push({ description: `Restore the newest complete ${source.kind === "objects" ? "object set" : "backup"} (checksum verified before the target is touched)`, command: lifeboat(target) });
      if (ctx.replicaBucket) {
        const copy = ctx.replicaCopy ?? { description: `Region lost: the same restore from the replica vault in ${ctx.drRegion} (a copy of ${ctx.configFile} with vault.bucket set to the replica and vault.region to ${ctx.drRegion})`, configFile: "lifeboat-dr.json" };
        commands.push({ description: copy.description, command: `LIFEBOAT_CONFIG_FILE=${shell(copy.configFile)} lifeboat restore --source ${source.name} --at latest --target ${target}` });
      }
    }
  }
  if (ctx.awsBackup) {
    const vault = ctx.awsBackup.drVaultName ?? ctx.awsBackup.vaultName;
    commands.push(
      {
        description: `AWS Backup: list recovery points of ${source.name} (the DR copies are in ${vault} in ${ctx.drRegion})`,
        command: `aws backup list-recovery-points-by-backup-vault --region ${ctx.primaryRegion} --backup-vault-name ${ctx.awsBackup.vaultName} --by-resource-type ${ctx.rds?.kind === "cluster" ? "Aurora" : "RDS"}`,
      },
      {
        description: "AWS Backup: restore a recovery point (metadata from `aws backup get-recovery-point-restore-metadata`)",
        command: `aws backup start-restore-job --region ${ctx.primaryRegion} --recovery-point-arn <recovery-point-arn> --iam-role-arn ${ctx.awsBackup.restoreRoleArn} --metadata file://restore-metadata.json`,
      },
    );
  }
  return commands;
}
