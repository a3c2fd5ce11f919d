import type { MeasuredRecovery } from "./drill-record";
import type { JobPlacement } from "./job-runtime";
import type { RecoveryMethod, SourceEngine, SourcePlan } from "./objectives";
import type { Retention } from "./retention";

/** One place a copy of a source's data lives. */
export interface DataCopy {
  /** What the copy is: `logical dump in the vault`, `RDS automated backups (PITR)`, ... */
  readonly what: string;
  /** Where: a bucket, a vault, a database identifier. */
  readonly where: string;
  readonly region: string;
  /** How long it is kept, in words (`daily 35 days, weekly 90 days, monthly 365 days`). */
  readonly keptFor: string;
  /** How often a new restore point appears. */
  readonly every: string;
}

/** A command of a restore procedure, with what it does. */
export interface RestoreCommand {
  readonly description: string;
  readonly command: string;
}

/** An alarm that watches a source, as deployed. */
export interface PostureAlarm {
  readonly id: string;
  /** The alarm's name in CloudWatch. */
  readonly name: string;
  readonly description: string;
}

/** A source's disaster-recovery posture: what is promised, what the configuration achieves, and how to restore. */
export interface SourcePosture {
  readonly name: string;
  readonly kind: SourcePlan["kind"];
  readonly engine: SourceEngine;
  readonly restoreOrder: number;
  readonly restoreAfter: readonly string[];
  readonly objective: { readonly rpoMinutes: number; readonly rtoMinutes: number };
  readonly achieved: { readonly rpoMinutes: number; readonly rtoMinutes: number };
  readonly meetsObjectives: boolean;
  readonly methods: readonly RecoveryMethod[];
  readonly copies: readonly DataCopy[];
  readonly alarms: readonly PostureAlarm[];
  readonly restore: readonly RestoreCommand[];
  readonly notes: readonly string[];
  /** The scheduled restore drill. @default - none (the source has no logical backup to drill) */
  readonly drill?: { readonly every: string; readonly job?: string };
  /**
   * The RTO as shown: measured by the newest drill when there is one, else the estimate; both are
   * kept. `statement` is the sentence the runbook prints.
   * @default - only `achieved.rtoMinutes` (the estimate)
   */
  readonly rto?: RtoFigures;
  /** Where each job of the source runs and why. @default - none */
  readonly jobs?: readonly JobPlacement[];
}

/** A source's RTO, measured and estimated. */
export interface RtoFigures {
  readonly shown: "measured" | "estimated";
  readonly estimatedMinutes: number;
  /** The newest drill, when any ran. @default - none */
  readonly measured?: MeasuredRecovery;
  readonly statement: string;
}

/** The posture of a whole estate: the record an auditor reads and the runbook is written from. */
export interface EstatePosture {
  readonly estate: string;
  readonly objectives: { readonly rpoMinutes: number; readonly rtoMinutes: number; readonly primaryRegion: string; readonly drRegion: string };
  readonly restoreOrder: readonly string[];
  /** The longest chain of restores that must follow one another, estimated. */
  readonly estateRtoMinutes: number;
  readonly verification?: { readonly schedule: string; readonly intervalMinutes: number; readonly job: string };
  readonly alerts: {
    /** The SNS topic every alarm goes to; on DigitalOcean, a description of the alert policies instead. */
    readonly topicArn: string;
    readonly emails: readonly string[];
    readonly httpsEndpoints: readonly string[];
    /** Slack channels alerts are posted to (DigitalOcean alert policies). @default - none */
    readonly slackChannels?: readonly string[];
    readonly estateAlarms: readonly PostureAlarm[];
  };
  /** The provider the estate runs on, which decides how alerts travel and how a drill tests them. @default "aws" */
  readonly provider?: "aws" | "digitalocean";
  readonly sources: readonly SourcePosture[];
}

/** `daily 35 days, weekly 90 days, monthly 365 days (monthly archived to GLACIER_IR after 30 days)`. */
export function describeRetention(retention: Retention): string {
  const tiers = `daily ${retention.tiers.daily} days, weekly ${retention.tiers.weekly} days, monthly ${retention.tiers.monthly} days`;
  const archive = retention.archive ? ` (${retention.archive.tiers.join(" and ")} archived to ${retention.archive.storageClass} after ${retention.archive.afterDays} days)` : "";
  return `${tiers}${archive}; deleted or overwritten versions kept ${retention.noncurrentDays} days`;
}

/** `45 minutes`, `4 hours`, `24 hours 15 minutes`, `2 days`: minutes the way a person says them. */
export function describeMinutes(minutes: number): string {
  const m = Math.round(minutes);
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (m >= 2880 && m % 1440 === 0) return unit(m / 1440, "day");
  if (m < 60) return unit(m, "minute");
  const hours = Math.floor(m / 60);
  return m % 60 === 0 ? unit(hours, "hour") : `${unit(hours, "hour")} ${unit(m % 60, "minute")}`;
}

/** `every 30 minutes`, `every day`. */
export function describeEvery(minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? "every day" : `every ${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? "every hour" : `every ${minutes / 60} hours`;
  return `every ${minutes} minutes`;
}

/** Whether the source's achieved RPO and RTO are within its objectives. */
export function meetsObjectives(plan: SourcePlan): boolean {
  return plan.achieved.rpoMinutes <= plan.objective.rpoMinutes && plan.achieved.rtoMinutes <= plan.objective.rtoMinutes;
}

/** The parts of a source posture that come from the plan alone. */
export function plannedPosture(plan: SourcePlan): Pick<SourcePosture, "name" | "kind" | "engine" | "restoreOrder" | "restoreAfter" | "objective" | "achieved" | "meetsObjectives" | "methods" | "notes"> {
  return {
    name: plan.name,
    kind: plan.kind,
    engine: plan.engine,
    restoreOrder: plan.restoreOrder,
    restoreAfter: plan.restoreAfter,
    objective: plan.objective,
    achieved: plan.achieved,
    meetsObjectives: meetsObjectives(plan),
    methods: plan.methods,
    notes: plan.notes,
  };
}
