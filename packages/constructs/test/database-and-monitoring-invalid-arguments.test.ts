import { describe, expect, it } from "vitest";
import { Provider } from "@pulumi/aws/provider";
import { LifeboatValidationError } from "@lifeboat/constructs/core";
import {
  auroraClusterBackupArgs,
  AwsBackupPlan,
  type AwsBackupPlanArgs,
  DatabaseBackups,
  elastiCacheBackupArgs,
  rdsInstanceBackupArgs,
  ServiceMonitor,
  type ServiceMonitorArgs,
} from "@lifeboat/constructs/pulumi/aws";
import { Recorder } from "@lifeboat/constructs/testing";
import { errorOf } from "./support";

type Case = [what: string, build: () => unknown, argument: string, value: string];

const KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const WEST_KEY = "arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555";
const DB_ARN = "arn:aws:rds:us-east-1:123456789012:db:orders";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";

/** One passing AwsBackupPlan, changed one field at a time. */
const plan = (change: Partial<AwsBackupPlanArgs>) => () =>
  new AwsBackupPlan("p", { selection: { resources: [DB_ARN] }, dr: { region: "us-west-2" }, topic: TOPIC, primaryRegion: "us-east-1", ...change });
/** One passing ServiceMonitor, changed one field at a time. */
const monitor = (change: Partial<ServiceMonitorArgs>) => () => new ServiceMonitor("m", { topic: TOPIC, healthCheck: { fqdn: "app.example.com" }, ...change });
const hc = (change: Partial<ServiceMonitorArgs["healthCheck"]>) => monitor({ healthCheck: { fqdn: "app.example.com", ...change } });

const cases: Case[] = [
  // Backup settings of a database the program creates.
  ["backups turned off with a retention of 0 days", () => rdsInstanceBackupArgs("orders", { key: KEY, retention: "0d" }), "retention", "0 days"],
  ["a retention beyond the 35 days RDS keeps", () => auroraClusterBackupArgs("orders", { key: KEY, retention: "36d" }), "retention", "36 days"],
  ["a retention that is not whole days", () => rdsInstanceBackupArgs("orders", { key: KEY, retention: "36h" }), "retention", "36 hours"],
  ["ElastiCache snapshots turned off with 0 days", () => elastiCacheBackupArgs("sessions", { key: KEY, retention: "0d" }), "retention", "0 days"],
  ["a backup window that is not hh24:mi-hh24:mi", () => rdsInstanceBackupArgs("orders", { key: KEY, backupWindow: "3am-4am" }), "backupWindow", '"3am-4am"'],
  ["a backup window shorter than 30 minutes", () => rdsInstanceBackupArgs("orders", { key: KEY, backupWindow: "03:00-03:15" }), "backupWindow", '"03:00-03:15"'],
  ["an ElastiCache snapshot window shorter than 60 minutes", () => elastiCacheBackupArgs("sessions", { key: KEY, backupWindow: "03:00-03:45" }), "backupWindow", '"03:00-03:45"'],
  ["a maintenance window that is not ddd:hh24:mi-ddd:hh24:mi", () => rdsInstanceBackupArgs("orders", { key: KEY, maintenanceWindow: "Sun:05:00-Sun:06:00" }), "maintenanceWindow", '"Sun:05:00-Sun:06:00"'],
  ["a maintenance window shorter than 30 minutes", () => rdsInstanceBackupArgs("orders", { key: KEY, maintenanceWindow: "sun:05:00-sun:05:10" }), "maintenanceWindow", '"sun:05:00-sun:05:10"'],
  ["a backup window overlapping the maintenance window", () => rdsInstanceBackupArgs("orders", { key: KEY, backupWindow: "05:30-06:30", maintenanceWindow: "wed:06:00-wed:07:00" }), "backupWindow", '"05:30-06:30"'],
  ["a final snapshot identifier starting with a digit", () => rdsInstanceBackupArgs("orders", { key: KEY, finalSnapshotIdentifier: "1-final" }), "finalSnapshotIdentifier", '"1-final"'],
  ["an aurora final snapshot identifier with two hyphens in a row", () => auroraClusterBackupArgs("orders", { key: KEY, finalSnapshotIdentifier: "orders--last" }), "finalSnapshotIdentifier", '"orders--last"'],
  ["a database without a customer managed key", () => rdsInstanceBackupArgs("orders", {} as never), "key", "not set"],
  ["the AWS managed RDS key", () => rdsInstanceBackupArgs("orders", { key: "arn:aws:kms:us-east-1:123456789012:alias/aws/rds" }), "key", '"arn:aws:kms:us-east-1:123456789012:alias/aws/rds"'],
  // Adopting a database.
  ["adopting no database", () => new DatabaseBackups("d", { database: {} as never, dr: false }), "database", "[]"],
  ["adopting two databases at once", () => new DatabaseBackups("d", { database: { rdsInstance: DB_ARN, auroraCluster: "orders" } as never, dr: false }), "database", '["rdsInstance","auroraCluster"]'],
  ["a cluster ARN given as an RDS instance", () => new DatabaseBackups("d", { database: { rdsInstance: "arn:aws:rds:us-east-1:123456789012:cluster:orders" }, dr: false }), "database", '"arn:aws:rds:us-east-1:123456789012:cluster:orders"'],
  ["an identifier with two hyphens in a row", () => new DatabaseBackups("d", { database: { elastiCache: "sessions--cache" } }), "database", '"sessions--cache"'],
  ["an RDS instance without a word on cross-region backups", () => new DatabaseBackups("d", { database: { rdsInstance: DB_ARN } }), "dr", "not set"],
  ["cross-region automated backups asked of Aurora", () => new DatabaseBackups("d", { database: { auroraCluster: "orders" }, dr: { region: "us-west-2" } }), "dr", '{"region":"us-west-2"}'],
  ["a DR region that is not a region", () => new DatabaseBackups("d", { database: { rdsInstance: DB_ARN }, dr: { region: "west" } }), "dr.region", '"west"'],
  ["replicated backups in the database's own region", () => new DatabaseBackups("d", { database: { rdsInstance: DB_ARN }, dr: { region: "us-east-1" } }), "dr.region", '"us-east-1"'],
  ["a replicated backup key outside the DR region", () => new DatabaseBackups("d", { database: { rdsInstance: DB_ARN }, dr: { region: "eu-west-1", key: WEST_KEY } }), "dr.key", JSON.stringify(WEST_KEY)],
  ["replicated backups kept 0 days", () => new DatabaseBackups("d", { database: { rdsInstance: DB_ARN }, dr: { region: "us-west-2", retention: "0d" } }), "dr.retention", "0 days"],
  // AWS Backup plans: test/aws-backup-plan-invalid-arguments.test.ts, for the Pulumi and CDK plans alike.
  // Service monitoring.
  ["a health check host written as a URL", hc({ fqdn: "https://app.example.com/healthz" }), "healthCheck.fqdn", '"https://app.example.com/healthz"'],
  ["a health check path without its leading slash", hc({ path: "healthz" }), "healthCheck.path", '"healthz"'],
  ["a health check port of 0", hc({ port: 0 }), "healthCheck.port", "0"],
  ["a request interval Route 53 does not offer", hc({ requestInterval: 15 as never }), "healthCheck.requestInterval", "15"],
  ["a failure threshold above 10", hc({ failureThreshold: 11 }), "healthCheck.failureThreshold", "11"],
  ["a health check alarm delay that is not whole minutes", hc({ alarmAfter: "90s" }), "healthCheck.alarmAfter", "90 seconds"],
  ["health checkers in two regions only", hc({ regions: ["us-east-1", "eu-west-1"] }), "healthCheck.regions", '["us-east-1","eu-west-1"]'],
  ["a load balancer's full ARN instead of its arnSuffix", monitor({ loadBalancer: { arnSuffix: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188" } }), "loadBalancer.arnSuffix", '"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"'],
  ["a 5xx threshold above 100%", monitor({ loadBalancer: { arnSuffix: "app/web/50dc6c495c0c9188", threshold: 150 } }), "loadBalancer.threshold", "150"],
  ["a database with no connections allowed", monitor({ database: { instance: "orders", maxConnections: 0, allocatedStorageGiB: 100 } }), "database.maxConnections", "0"],
  ["a database by identifier without its allocated storage", monitor({ database: { instance: "orders", maxConnections: 100 } }), "database.allocatedStorageGiB", "not set"],
  ["a connections threshold of 0%", monitor({ database: { instance: "orders", maxConnections: 100, allocatedStorageGiB: 100, connectionsPercent: 0 } }), "database.connectionsPercent", "0"],
  ["alarms without a topic", monitor({ topic: undefined as never }), "topic", "not set"],
  ["a topic that is not an SNS topic ARN", monitor({ topic: "alerts" }), "topic", '"alerts"'],
  ["a health check alarm topic outside us-east-1", monitor({ topic: "arn:aws:sns:eu-west-1:123456789012:alerts" }), "topic", '"arn:aws:sns:eu-west-1:123456789012:alerts"'],
];

describe("invalid database backup, AWS Backup and monitoring arguments", () => {
  it.each(cases)("refuses %s before creating anything", async (_what, build, argument, value) => {
    const recorder = new Recorder();

    const error = errorOf(build) as LifeboatValidationError;
    await recorder.settle();

    expect(error).toBeInstanceOf(LifeboatValidationError);
    expect(error.problems).toContainEqual(expect.objectContaining({ argument, value }));
    expect(error.message).toContain(`\`${argument}\` (${value})`);
    expect(recorder.resources).toEqual([]);
  });

  it("refuses 0 days with the reason: it turns automated backups off", () => {
    const error = errorOf(() => rdsInstanceBackupArgs("orders", { key: KEY, retention: "0d" }));

    expect(error.message).toBe(
      [
        'rdsInstanceBackupArgs("orders"): 1 problem in the arguments:',
        '  - `retention` (0 days) turns automated backups and point-in-time recovery off: RDS treats 0 days as "no backups". Keep backups 1 to 35 days, such as "7d".',
      ].join("\n"),
    );
  });

  it("lists every problem of an AWS Backup plan at once", () => {
    const error = errorOf(plan({ retention: { daily: "35d", weekly: "14d" }, dr: { region: "us-east-1" }, selection: {} })) as LifeboatValidationError;

    expect(error.problems.map((p) => p.argument)).toEqual(["retention.weekly", "dr.region", "selection"]);
    expect(error.message).toMatch(/^AwsBackupPlan "p": 3 problems in the arguments:/);
  });

  it("creates no provider, key or vault when a DR provider is passed with bad arguments", () => {
    const recorder = new Recorder();
    const west = new Provider("west", { region: "us-west-2" });
    const before = recorder.resources.length;

    errorOf(() => new AwsBackupPlan("p", { selection: {}, dr: { region: "us-west-2", provider: west }, topic: TOPIC }));

    expect(recorder.resources.length).toBe(before);
  });
});
