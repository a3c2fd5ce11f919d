// One suite, every front end: the examples/aws estate recorded under the Pulumi mock engine and the
// examples/aws-cdk estate synthesized by CDK declare the same objectives and sources, so every
// setting derived from them must be the same. Buckets and keys are compared through the policies'
// fact model (from-pulumi and from-template); alarms, schedules, IAM and AWS Backup rules directly.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EstatePosture } from "@lifeboat/constructs/core";
import { recordProgram } from "@lifeboat/constructs/testing";
import { factsFromPulumi, factsFromTemplate, fromRecorded, type StackFacts } from "@lifeboat/policies";
import { loadExample } from "@lifeboat/preview";
import type { App } from "aws-cdk-lib";

/** The settings of one rendered estate, in a shape both front ends can be reduced to. */
interface Rendered {
  readonly facts: StackFacts[];
  readonly alarms: string[];
  readonly schedules: string[];
  /** Per job role (by its description): `Sid: actions`, sorted. */
  readonly roles: Record<string, string[]>;
  readonly backupRules: string[];
  /** AWS Backup restore tests: the plan's schedule, windows and recovery points, the selection's type, scope and validation window. */
  readonly restoreTests: string[];
  /** AWS Backup vault locks (primary and DR) and selections (how many ARNs, which tags). */
  readonly backupVaults: string[];
  /** Fargate task definitions' runtime platforms. */
  readonly taskPlatforms: string[];
  /** Per job function (by its description): whether it runs in the VPC, as `designEstate` placed it. */
  readonly inVpc: Record<string, boolean>;
  /** Fargate task definitions: command, size, disk, entry point, log retention. */
  readonly tasks: string[];
  /** The schedules' ECS targets: launch type, platform, count, public IP. */
  readonly ecsTargets: string[];
  /** The task families whose failed tasks go to the alert topic. */
  readonly taskFailures: string[];
  /** Route 53 health checks: type, port, path, interval, failure threshold, SNI, checker regions. */
  readonly healthChecks: string[];
  readonly posture: EstatePosture;
}

type Resource = { type: string; props: Record<string, any>; id?: string };

const alarmOf = (a: Record<string, any>, dimensions: Record<string, unknown>) =>
  [a.namespace, a.metricName, a.statistic, a.period, a.evaluationPeriods, a.datapointsToAlarm, a.threshold, a.comparisonOperator, a.treatMissingData, dimensions.Source ?? ""].join("|");
const healthCheckOf = (h: { type: unknown; fqdn: unknown; port: unknown; path: unknown; interval: unknown; failures: unknown; sni: unknown; regions: unknown }) =>
  [h.type, h.fqdn, h.port, h.path, h.interval, h.failures, h.sni, JSON.stringify(h.regions ?? "every")].join("|");
const actions = (a: unknown) => [a].flat().map(String).sort().join(",");
const statementsOf = (document: { Statement: { Sid?: string; Action: unknown }[] }) => document.Statement.map((s) => `${s.Sid}: ${actions(s.Action)}`).sort();
/** Job roles by description: Lambda jobs' and Fargate tasks' roles, their execution roles and their scheduler roles. */
const jobRole = (description: unknown) => typeof description === "string" && /^(Lifeboat (backup|verification|drill) of |Starts the Lifeboat |Runs the Lifeboat \w+ task of )/.test(description);
const taskOf = (t: { command: unknown; cpu: unknown; memory: unknown; disk: unknown; entryPoint: unknown; logRetention: unknown }) => [JSON.stringify(t.command), t.cpu, t.memory, t.disk, JSON.stringify(t.entryPoint), t.logRetention].join("|");

let pulumi: Rendered;
let cdk: Rendered;
const out = mkdtempSync(join(tmpdir(), "lifeboat-conformance-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function renderPulumi(): Promise<Rendered> {
  const example = loadExample(join(__dirname, "../../examples/aws"));
  const stack = await recordProgram(example.entry, { project: example.project, stack: example.stack, config: example.config, cloud: { region: "us-east-1" } });
  const of = (type: string) => stack.resources.filter((r) => r.type === type);
  const rolesById = new Map(of("aws:iam/role:Role").map((r) => [r.id, r.inputs.description]));
  const roles: Record<string, string[]> = {};
  for (const p of of("aws:iam/rolePolicy:RolePolicy")) {
    const description = rolesById.get(p.inputs.role as string);
    if (jobRole(description)) roles[description as string] = statementsOf(JSON.parse(p.inputs.policy as string));
  }
  return {
    facts: [factsFromPulumi(stack.resources.map(fromRecorded))],
    alarms: of("aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => alarmOf(r.inputs, (r.inputs.dimensions ?? {}) as Record<string, unknown>)).sort(),
    schedules: of("aws:scheduler/schedule:Schedule")
      .map((r) => {
        const target = r.inputs.target as Record<string, any>;
        return [r.inputs.scheduleExpression, r.inputs.scheduleExpressionTimezone, target.retryPolicy.maximumRetryAttempts, target.retryPolicy.maximumEventAgeInSeconds].join("|");
      })
      .sort(),
    roles,
    backupRules: of("aws:backup/plan:Plan").flatMap((p) =>
      (p.inputs.rules as Record<string, any>[]).map((r) => [r.ruleName, r.schedule, r.startWindow, r.completionWindow, r.lifecycle.deleteAfter, r.lifecycle.coldStorageAfter ?? "", r.copyActions.length].join("|")),
    ),
    restoreTests: [
      ...of("aws:backup/restoreTestingPlan:RestoreTestingPlan").map((r) => {
        const points = r.inputs.recoveryPointSelection as Record<string, any>;
        return ["plan", r.inputs.scheduleExpression, r.inputs.scheduleExpressionTimezone, r.inputs.startWindowHours, points.algorithm, points.recoveryPointTypes.join(","), points.selectionWindowDays, points.includeVaults.length].join("|");
      }),
      ...of("aws:backup/restoreTestingSelection:RestoreTestingSelection").map((r) => ["selection", r.inputs.protectedResourceType, (r.inputs.protectedResourceArns as string[]).join(","), r.inputs.validationWindowHours].join("|")),
    ].sort(),
    backupVaults: [
      ...of("aws:backup/vaultLockConfiguration:VaultLockConfiguration").map((r) => ["lock", r.inputs.minRetentionDays, r.inputs.maxRetentionDays ?? "", r.inputs.changeableForDays ?? ""].join("|")),
      ...of("aws:backup/selection:Selection").map((r) => ["selection", (r.inputs.resources as unknown[] | undefined)?.length ?? 0, JSON.stringify(r.inputs.selectionTags ?? [])].join("|")),
    ].sort(),
    taskPlatforms: of("aws:ecs/taskDefinition:TaskDefinition").map((r) => {
      const platform = r.inputs.runtimePlatform as Record<string, unknown>;
      return [platform.operatingSystemFamily, platform.cpuArchitecture].join("|");
    }).sort(),
    inVpc: Object.fromEntries(of("aws:lambda/function:Function").map((r) => [r.inputs.description as string, r.inputs.vpcConfig !== undefined])),
    tasks: of("aws:ecs/taskDefinition:TaskDefinition").map((r) => {
      const [container] = JSON.parse(r.inputs.containerDefinitions as string);
      const group = of("aws:cloudwatch/logGroup:LogGroup").find((g) => g.outputs.name === container.logConfiguration.options["awslogs-group"]);
      return taskOf({ command: container.command, cpu: r.inputs.cpu, memory: r.inputs.memory, disk: (r.inputs.ephemeralStorage as { sizeInGib: number }).sizeInGib, entryPoint: container.entryPoint, logRetention: group?.inputs.retentionInDays });
    }).sort(),
    ecsTargets: of("aws:scheduler/schedule:Schedule")
      .flatMap((r) => {
        const ecs = (r.inputs.target as Record<string, any>).ecsParameters;
        return ecs ? [[r.inputs.scheduleExpression, ecs.launchType, ecs.platformVersion, ecs.taskCount, ecs.networkConfiguration.assignPublicIp].join("|")] : [];
      })
      .sort(),
    taskFailures: of("aws:cloudwatch/eventRule:EventRule")
      .map((r) => JSON.parse(r.inputs.eventPattern as string))
      .filter((p) => p.source?.[0] === "aws.ecs")
      .map((p) => [p.detail.lastStatus, JSON.stringify(p.detail.$or), p.detail.group[0].replace(/^family:lifeboat-.*-(\w+-\w+)$/, "$1")].join("|"))
      .sort(),
    healthChecks: of("aws:route53/healthCheck:HealthCheck").map(({ inputs: h }) =>
      healthCheckOf({ type: h.type, fqdn: h.fqdn, port: h.port, path: h.resourcePath, interval: h.requestInterval, failures: h.failureThreshold, sni: h.enableSni, regions: h.regions }),
    ),
    posture: stack.outputs.posture as EstatePosture,
  };
}

/** examples/aws-cdk's app module, loaded by path as `cdk synth` and `npm start` load it. */
interface CdkExampleApp {
  buildApp(props: { outdir: string }): { app: App; postures(): EstatePosture[] };
}

async function renderCdk(): Promise<Rendered> {
  const { buildApp } = (await import(join(__dirname, "../../examples/aws-cdk/lib/app.ts"))) as CdkExampleApp;
  const built = buildApp({ outdir: out });
  const assembly = built.app.synth();
  const templates = assembly.stacks.map((s) => ({ template: s.template as { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> }, region: s.environment.region }));
  const all: Resource[] = templates.flatMap(({ template }) => Object.entries(template.Resources).map(([id, r]) => ({ id, type: r.Type, props: r.Properties ?? {} })));
  const of = (type: string) => all.filter((r) => r.type === type);
  const roles: Record<string, string[]> = {};
  for (const role of of("AWS::IAM::Role")) {
    if (!jobRole(role.props.Description)) continue;
    const inline = (role.props.Policies ?? []).flatMap((p: { PolicyDocument: { Statement: [] } }) => statementsOf(p.PolicyDocument));
    const attached = of("AWS::IAM::Policy")
      .filter((p) => JSON.stringify(p.props.Roles).includes(`"${role.id}"`))
      .flatMap((p) => statementsOf(p.props.PolicyDocument));
    roles[role.props.Description] = [...inline, ...attached].sort();
  }
  return {
    facts: templates.map(({ template, region }) => factsFromTemplate(template, { region })),
    alarms: of("AWS::CloudWatch::Alarm")
      .map(({ props: a }) =>
        alarmOf(
          { namespace: a.Namespace, metricName: a.MetricName, statistic: a.Statistic, period: a.Period, evaluationPeriods: a.EvaluationPeriods, datapointsToAlarm: a.DatapointsToAlarm, threshold: a.Threshold, comparisonOperator: a.ComparisonOperator, treatMissingData: a.TreatMissingData },
          Object.fromEntries((a.Dimensions ?? []).map((d: { Name: string; Value: unknown }) => [d.Name, d.Value])),
        ),
      )
      .sort(),
    schedules: of("AWS::Scheduler::Schedule")
      .map(({ props: s }) => [s.ScheduleExpression, s.ScheduleExpressionTimezone, s.Target.RetryPolicy.MaximumRetryAttempts, s.Target.RetryPolicy.MaximumEventAgeInSeconds].join("|"))
      .sort(),
    roles,
    backupRules: of("AWS::Backup::BackupPlan").flatMap(({ props: p }) =>
      (p.BackupPlan.BackupPlanRule as Record<string, any>[]).map((r) =>
        [r.RuleName, r.ScheduleExpression, r.StartWindowMinutes, r.CompletionWindowMinutes, r.Lifecycle.DeleteAfterDays, r.Lifecycle.MoveToColdStorageAfterDays ?? "", r.CopyActions.length].join("|"),
      ),
    ),
    restoreTests: [
      ...of("AWS::Backup::RestoreTestingPlan").map(({ props: r }) => {
        const points = r.RecoveryPointSelection;
        return ["plan", r.ScheduleExpression, r.ScheduleExpressionTimezone, r.StartWindowHours, points.Algorithm, points.RecoveryPointTypes.join(","), points.SelectionWindowDays, points.IncludeVaults.length].join("|");
      }),
      ...of("AWS::Backup::RestoreTestingSelection").map(({ props: r }) => ["selection", r.ProtectedResourceType, r.ProtectedResourceArns.join(","), r.ValidationWindowHours].join("|")),
    ].sort(),
    backupVaults: [
      ...of("AWS::Backup::BackupVault").flatMap(({ props: v }) => (v.LockConfiguration ? [["lock", v.LockConfiguration.MinRetentionDays, v.LockConfiguration.MaxRetentionDays ?? "", v.LockConfiguration.ChangeableForDays ?? ""].join("|")] : [])),
      ...of("AWS::Backup::BackupSelection").map(({ props: s }) => {
        const tags = (s.BackupSelection.ListOfTags ?? []).map((t: Record<string, string>) => ({ type: t.ConditionType, key: t.ConditionKey, value: t.ConditionValue }));
        return ["selection", s.BackupSelection.Resources?.length ?? 0, JSON.stringify(tags)].join("|");
      }),
    ].sort(),
    taskPlatforms: of("AWS::ECS::TaskDefinition").map(({ props: r }) => [r.RuntimePlatform?.OperatingSystemFamily, r.RuntimePlatform?.CpuArchitecture].join("|")).sort(),
    inVpc: Object.fromEntries(of("AWS::Lambda::Function").filter((f) => typeof f.props.Description === "string" && f.props.Description.startsWith("Lifeboat")).map((f) => [f.props.Description as string, f.props.VpcConfig !== undefined])),
    tasks: of("AWS::ECS::TaskDefinition").map(({ props: r }) => {
      const [container] = r.ContainerDefinitions;
      const group = all.find((g) => g.type === "AWS::Logs::LogGroup" && g.id === container.LogConfiguration.Options["awslogs-group"].Ref);
      return taskOf({ command: container.Command, cpu: r.Cpu, memory: r.Memory, disk: r.EphemeralStorage.SizeInGiB, entryPoint: container.EntryPoint, logRetention: group?.props.RetentionInDays });
    }).sort(),
    ecsTargets: of("AWS::Scheduler::Schedule")
      .flatMap(({ props: s }) => {
        const ecs = s.Target.EcsParameters;
        return ecs ? [[s.ScheduleExpression, ecs.LaunchType, ecs.PlatformVersion, ecs.TaskCount, ecs.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp === "ENABLED"].join("|")] : [];
      })
      .sort(),
    taskFailures: of("AWS::Events::Rule")
      .map(({ props: r }) => r.EventPattern)
      .filter((p) => p?.source?.[0] === "aws.ecs")
      .map((p) => [p.detail.lastStatus, JSON.stringify(p.detail.$or), p.detail.group[0].replace(/^family:lifeboat-.*-(\w+-\w+)$/, "$1")].join("|"))
      .sort(),
    healthChecks: of("AWS::Route53::HealthCheck").map(({ props: { HealthCheckConfig: h } }) =>
      healthCheckOf({ type: h.Type, fqdn: h.FullyQualifiedDomainName, port: h.Port, path: h.ResourcePath, interval: h.RequestInterval, failures: h.FailureThreshold, sni: h.EnableSNI, regions: h.Regions }),
    ),
    posture: built.postures()[0] as EstatePosture,
  };
}

/** Vault buckets as facts: every flag and lifecycle rule, without names. */
function vaults(rendered: Rendered) {
  return rendered.facts
    .flatMap((f) => f.buckets)
    .filter((b) => b.tags?.["lifeboat:vault"] === "true")
    .map((b) => ({
      versioning: b.versioning,
      encryption: { algorithm: b.encryption?.algorithm, bucketKey: b.encryption?.bucketKeyEnabled, customerKey: b.encryption?.kmsKeyId !== undefined },
      publicAccessBlock: b.publicAccessBlock,
      lifecycle: (b.lifecycle ?? []).map((r) => ({ id: r.id, filter: r.filter, expirationDays: r.expirationDays, noncurrentDays: r.noncurrentExpirationDays, transitions: r.transitions })),
      replicates: (b.replication ?? []).map((r) => ({ id: r.id, everything: r.coversEveryObject, kms: r.replicatesKmsObjects, replicaKey: r.replicaKmsKeyId !== undefined })),
      objectLock: b.objectLock?.enabled ?? false,
    }))
    .sort((a, b) => a.replicates.length - b.replicates.length);
}

/** Lifeboat's customer keys as facts: rotation and deletion window. */
function keys(rendered: Rendered) {
  return rendered.facts
    .flatMap((f) => f.keys)
    .map((k) => `${k.rotationEnabled}|${k.deletionWindowDays}`)
    .sort();
}

/** The posture without what only a deployment knows (names, ARNs, identifiers, commands). */
function designOf(p: EstatePosture) {
  return {
    objectives: p.objectives,
    restoreOrder: p.restoreOrder,
    estateRtoMinutes: p.estateRtoMinutes,
    verification: p.verification ? { schedule: p.verification.schedule, intervalMinutes: p.verification.intervalMinutes } : undefined,
    estateAlarms: p.alerts.estateAlarms.map((a) => a.id.replace(/^estate-vault-/, "Vault-")).sort(),
    monitorAlarms: p.alerts.estateAlarms.filter((a) => a.id.startsWith("monitor-")).map((a) => `${a.id}: ${a.description}`).sort(),
    emails: p.alerts.emails,
    sources: p.sources.map((s) => ({
      name: s.name,
      kind: s.kind,
      engine: s.engine,
      objective: s.objective,
      achieved: s.achieved,
      meetsObjectives: s.meetsObjectives,
      methods: s.methods,
      notes: s.notes,
      copies: s.copies.map((c) => ({ what: c.what, region: c.region, keptFor: c.keptFor, every: c.every })),
      alarms: s.alarms.map((a) => a.id),
      restoreCommands: s.restore.length,
      jobs: s.jobs?.map((j) => ({ job: j.job, runtime: j.runtime, basis: j.basis, reason: j.reason })),
      drillEvery: s.drill?.every,
    })),
  };
}

beforeAll(async () => {
  [pulumi, cdk] = await Promise.all([renderPulumi(), renderCdk()]);
}, 600_000);

describe("the examples/aws estate rendered by Pulumi and by CDK", () => {
  it("has the same vaults: flags, lifecycle rules per tier and replication, read as facts", () => {
    expect(vaults(cdk)).toHaveLength(2);
    expect(vaults(cdk)).toEqual(vaults(pulumi));
  });

  it("has the same customer keys: rotation and deletion window", () => {
    expect(keys(cdk).length).toBeGreaterThanOrEqual(7);
    expect(keys(cdk)).toEqual(keys(pulumi));
  });

  it("has the same alarms, the service monitor's among them: metric, statistic, period, threshold, comparison and missing data", () => {
    expect(cdk.alarms.length).toBeGreaterThan(10);
    expect(cdk.alarms.filter((a) => /^AWS\/(RDS|Route53)\|/.test(a))).toHaveLength(3);
    expect(cdk.alarms).toEqual(pulumi.alarms);
  });

  it("checks the application's health the same way: one Route 53 HTTPS check of the same host, port, path, interval and threshold", () => {
    expect(cdk.healthChecks).toEqual(["HTTPS|app.example.com|443|/healthz|30|3|true|\"every\""]);
    expect(cdk.healthChecks).toEqual(pulumi.healthChecks);
  });

  it("has the same schedules, with the same retry policy", () => {
    expect(cdk.schedules).toHaveLength(6);
    expect(cdk.schedules).toEqual(pulumi.schedules);
  });

  it("gives each job role the same IAM actions, statement by statement", () => {
    expect(Object.keys(cdk.roles).sort()).toEqual(Object.keys(pulumi.roles).sort());
    for (const [role, statements] of Object.entries(pulumi.roles)) expect(cdk.roles[role], role).toEqual(statements);
  });

  it("has the same AWS Backup rules: schedules, windows, retention and a copy to the DR region", () => {
    expect(cdk.backupRules.length).toBeGreaterThan(0);
    expect(cdk.backupRules).toEqual(pulumi.backupRules);
  });

  it("tests the same restores with AWS Backup: schedule, windows, recovery points, resource type and validation window", () => {
    expect(cdk.restoreTests).toHaveLength(2);
    expect(cdk.restoreTests).toEqual(pulumi.restoreTests);
  });

  it("locks both AWS Backup vaults alike and selects the same resources", () => {
    expect(cdk.backupVaults.filter((v) => v.startsWith("lock|"))).toHaveLength(2);
    expect(cdk.backupVaults).toEqual(pulumi.backupVaults);
  });

  it("runs the Fargate tasks on the same platform, the jobs image's architecture", () => {
    expect(cdk.taskPlatforms).toHaveLength(5);
    expect(cdk.taskPlatforms).toEqual(pulumi.taskPlatforms);
  });

  it("places the same Lambda jobs in or out of the VPC: the verification function outside (the backups, the large sources' verifications and the drill run as Fargate tasks in it)", () => {
    expect(Object.values(cdk.inVpc)).toEqual([false]);
    expect(cdk.inVpc).toEqual(pulumi.inVpc);
  });

  it("runs the same jobs on Fargate: command, CPU, memory, disk, entry point and log retention of each task", () => {
    expect(cdk.tasks).toHaveLength(5);
    expect(cdk.tasks).toEqual(pulumi.tasks);
  });

  it("starts the Fargate tasks from the same scheduler ECS targets, and reports the same failed tasks to the topic", () => {
    expect(cdk.ecsTargets).toHaveLength(5);
    expect(cdk.ecsTargets).toEqual(pulumi.ecsTargets);
    expect(cdk.taskFailures).toHaveLength(5);
    expect(cdk.taskFailures).toEqual(pulumi.taskFailures);
  });

  it("reports the same posture: objectives, restore order, copies, alarms and notes per source, and the service monitor's alarms with their missing-data handling", () => {
    expect(designOf(cdk.posture)).toEqual(designOf(pulumi.posture));
  });
});
