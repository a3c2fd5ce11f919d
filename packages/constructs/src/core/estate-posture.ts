import type { DrillRecord } from "./drill-record";
import type { JobPlacement } from "./job-runtime";
import { withDrillRecords } from "./measured-posture";
import type { EstatePlan, SourceEngine } from "./objectives";
import { type DataCopy, describeEvery, describeRetention, type EstatePosture, plannedPosture, type PostureAlarm, type SourcePosture } from "./posture";
import { restoreCommands, type RestoreContext } from "./restore-commands";

/** What was deployed for one source, as its front end reads it back. */
export interface DeployedSource {
  readonly name: string;
  readonly engine: SourceEngine;
  /** The database, cache or bucket identifier. */
  readonly identifier: string;
  readonly database?: string;
  /** The retention the database really has, when it is known. */
  readonly retentionDays?: number;
  /** The ARN of the RDS automated backups replicated to the DR region. */
  readonly replicationArn?: string;
  /** Its scheduled restore drill: how often, and the job's name. @default - none */
  readonly drill?: { readonly every: string; readonly job: string };
  /** Where its jobs run and why (`designEstateJobs`). @default - none */
  readonly jobs?: readonly JobPlacement[];
  /** What `designEstateJobs` noted: a job not where its estimate says, or no drill. @default - none */
  readonly jobNotes?: readonly string[];
}

/** An alarm as created, with the source it watches. */
export interface DeployedAlarm extends PostureAlarm {
  readonly source?: string;
}

/** Everything the posture needs besides the plan: names and identifiers known once deployed (or synthesized). */
export interface DeployedEstate {
  readonly estate: string;
  readonly primaryRegion: string;
  readonly vaultBucket: string;
  readonly replicaBucket: string;
  readonly topicArn: string;
  readonly emails: readonly string[];
  readonly httpsEndpoints: readonly string[];
  readonly sources: readonly DeployedSource[];
  readonly alarms: readonly DeployedAlarm[];
  /** Estate-wide alarms of the service monitor. @default - none */
  readonly monitorAlarms?: readonly PostureAlarm[];
  /** The AWS Backup vaults, their restore role and the rules' retention in words, when AWS Backup is on. */
  readonly awsBackup?: { readonly vaultName: string; readonly drVaultName: string; readonly restoreRoleArn: string; readonly rules: readonly { readonly name: string; readonly deleteAfterDays: number }[] };
  /** The verification job's function name, when there is one. */
  readonly verifyJob?: string;
  /** Drill records read from the vault: the posture shows their measured restore times beside the estimates. @default - none */
  readonly drillRecords?: readonly DrillRecord[];
}

/**
 * The estate's posture: per source, every copy of its data (where, how long, how often), its
 * alarms, the exact restore commands and notes; estate-wide alarms and verification. The same for
 * every front end: each reads back its deployed names and passes them here.
 */
export function estatePosture(plan: EstatePlan, deployed: DeployedEstate): EstatePosture {
  const primary = deployed.primaryRegion;
  const retention = describeRetention(plan.retention);
  const backupVaults = deployed.awsBackup;
  const awsBackupRules = backupVaults ? backupVaults.rules.map((r) => `${r.name} ${r.deleteAfterDays} days`).join(", ") : "";
  const sources = plan.sources.map((s): SourcePosture => {
    const found = deployed.sources.find((d) => d.name === s.name);
    const engine = found?.engine ?? s.engine;
    const identifier = found?.identifier ?? "";
    const notes = [...s.notes];
    const copies: DataCopy[] = [];
    if (s.methods.some((m) => m.method === "pitr")) {
      const days = found?.retentionDays ?? s.nativeRetentionDays;
      copies.push({ what: `${engine === "rds-instance" ? "RDS" : "Aurora"} automated backups (point-in-time recovery)`, where: identifier, region: primary, keptFor: `${days} days`, every: "continuously (about every 5 minutes)" });
      if (found?.retentionDays !== undefined && s.nativeRetentionDays !== undefined && found.retentionDays < s.nativeRetentionDays) {
        notes.push(`The database keeps automated backups ${found.retentionDays} days; the objectives' daily tier asks ${s.nativeRetentionDays}. Spread rdsInstanceBackupArgs (or auroraClusterBackupArgs) into it.`);
      }
    }
    if (found?.replicationArn) {
      copies.push({ what: "RDS automated backups replicated to the DR region", where: found.replicationArn, region: plan.drRegion, keptFor: `${s.nativeRetentionDays} days`, every: "continuously" });
    }
    if (s.methods.some((m) => m.method === "snapshot")) {
      copies.push({ what: "ElastiCache automatic snapshots", where: identifier, region: primary, keptFor: `${found?.retentionDays ?? s.nativeRetentionDays} days`, every: "every day" });
    }
    const rdsLike = engine === "rds-instance" || engine === "aurora-cluster";
    if (backupVaults && rdsLike) {
      copies.push({ what: "AWS Backup recovery points", where: backupVaults.vaultName, region: primary, keptFor: awsBackupRules, every: "every day" });
      copies.push({ what: "AWS Backup copies in the DR region", where: backupVaults.drVaultName, region: plan.drRegion, keptFor: awsBackupRules, every: "every day, copied after each backup" });
    }
    if (s.logical) {
      const what = s.kind === "postgres" ? "pg_dump archive" : s.kind === "redis" ? "RDB snapshot" : "object copies and index";
      copies.push({ what: `${what} in the vault`, where: `s3://${deployed.vaultBucket}/${s.name}/`, region: primary, keptFor: retention, every: describeEvery(s.logical.intervalMinutes) });
      copies.push({ what: `${what} in the replica vault`, where: `s3://${deployed.replicaBucket}/${s.name}/`, region: plan.drRegion, keptFor: retention, every: `${describeEvery(s.logical.intervalMinutes)}, replicated within 15 minutes` });
    }
    const context: RestoreContext = {
      source: s,
      primaryRegion: primary,
      drRegion: plan.drRegion,
      configFile: "lifeboat.json",
      replicaBucket: deployed.replicaBucket,
      ...(rdsLike
        ? {
            rds: {
              identifier,
              kind: engine === "rds-instance" ? "instance" : "cluster",
              ...(found?.database ? { database: found.database } : {}),
              ...(found?.replicationArn ? { replicatedBackupsArn: found.replicationArn } : {}),
            },
            ...(backupVaults ? { awsBackup: { vaultName: backupVaults.vaultName, drVaultName: backupVaults.drVaultName, restoreRoleArn: backupVaults.restoreRoleArn } } : {}),
          }
        : {}),
      ...(engine === "elasticache" ? { elasticache: { replicationGroupId: identifier } } : {}),
      ...(engine === "s3" ? { objectsBucket: identifier } : {}),
    };
    return {
      ...plannedPosture(s),
      copies,
      alarms: deployed.alarms.filter((a) => a.source === s.name).map(({ id, name, description }) => ({ id, name, description })),
      restore: restoreCommands(context),
      notes: [...notes, ...(found?.jobNotes ?? [])],
      ...(found?.drill ? { drill: found.drill } : {}),
      ...(found?.jobs ? { jobs: found.jobs } : {}),
    };
  });
  const estateAlarms = deployed.alarms.filter((a) => !a.source).map(({ id, name, description }) => ({ id, name, description }));
  const posture: EstatePosture = {
    estate: deployed.estate,
    objectives: { rpoMinutes: plan.rpoMinutes, rtoMinutes: plan.rtoMinutes, primaryRegion: primary, drRegion: plan.drRegion },
    restoreOrder: plan.restoreOrder,
    estateRtoMinutes: plan.estateRtoMinutes,
    ...(plan.verify && deployed.verifyJob ? { verification: { schedule: describeEvery(plan.verify.intervalMinutes), intervalMinutes: plan.verify.intervalMinutes, job: deployed.verifyJob } } : {}),
    alerts: { topicArn: deployed.topicArn, emails: deployed.emails, httpsEndpoints: deployed.httpsEndpoints, estateAlarms: [...estateAlarms, ...(deployed.monitorAlarms ?? [])] },
    sources,
  };
  // Measured beside estimated, once anything is drilled or measured.
  return deployed.drillRecords !== undefined || sources.some((s) => s.drill) ? withDrillRecords(posture, deployed.drillRecords ?? []) : posture;
}
