import { describe, expect, it } from "vitest";
import { backupAlarmSpecs, bindAlarm, alarmDescription, LifeboatValidationError, planServiceMonitor } from "@lifeboat/constructs/core";

const freshness = { thresholdMinutes: 90, periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1 };

describe("backupAlarmSpecs", () => {
  it("designs freshness and verify-failed per source, errors, throttles and dead letters per job, then extras and replication", () => {
    const specs = backupAlarmSpecs(
      {
        topic: "arn:aws:sns:us-east-1:123456789012:alerts",
        sources: [{ name: "db", freshness }],
        verifyPeriodSeconds: 900,
        jobs: [{ id: "db-backup", functionName: "fn", deadLetterQueueName: "dlq", source: "db" }],
        replicatedVaults: [{ vaultName: "vault", sourceBucket: "a", destinationBucket: "b", ruleId: "replicate-all" }],
      },
      "BackupAlarms test",
    );

    expect(specs.map((s) => s.id)).toEqual(["db-backup-age", "db-verify-failed", "db-backup-errors", "db-backup-throttles", "db-backup-dead-letters", "vault-replication-failures", "vault-replication-latency"]);
    expect(specs.find((s) => s.id === "db-verify-failed")).toMatchObject({ periodSeconds: 900 });
    expect(specs.find((s) => s.id === "vault-replication-latency")).toMatchObject({ dimensions: { SourceBucket: "a", DestinationBucket: "b", RuleId: "replicate-all" } });
  });

  it("reports a missing topic, a job id used twice and a verify period that is not whole minutes in one error", () => {
    let error: unknown;
    try {
      backupAlarmSpecs({ topic: undefined, verifyPeriodSeconds: 90, jobs: [{ id: "j", functionName: "f", deadLetterQueueName: "q" }, { id: "j", functionName: "g", deadLetterQueueName: "r" }] }, "BackupAlarms test");
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(LifeboatValidationError);
    const message = (error as Error).message;
    expect(message).toContain("`topic`");
    expect(message).toContain("`jobs[1].id`");
    expect(message).toContain("`verifyPeriodSeconds` (90)");
  });
});

describe("bindAlarm", () => {
  it("puts the watched resource's id into every dimension of a metric-math alarm designed before the resource existed", () => {
    const plan = planServiceMonitor({ healthCheck: { fqdn: "app.example.com" }, loadBalancer: { arnSuffix: "app/web/50dc6c495c0c9188" }, topic: "arn:aws:sns:us-east-1:123456789012:alerts" }, "monitor");

    const bound = bindAlarm(plan.loadBalancer5xx!, "app/web/50dc6c495c0c9188");

    expect(bound.math?.metrics.map((m) => m.dimensions)).toEqual([
      { LoadBalancer: "app/web/50dc6c495c0c9188" },
      { LoadBalancer: "app/web/50dc6c495c0c9188" },
      { LoadBalancer: "app/web/50dc6c495c0c9188" },
    ]);
    expect(bound.threshold).toBe(5);
  });

  it("refuses to render an alarm whose threshold was left to deploy time when none is given", () => {
    const plan = planServiceMonitor(
      { healthCheck: { fqdn: "app.example.com" }, database: { identifier: "orders", maxConnections: 100, allocatedStorageGiB: 20 }, topic: "arn:aws:sns:us-east-1:123456789012:alerts" },
      "monitor",
    );

    expect(() => bindAlarm(plan.database!.storage, "orders")).toThrow(/db-storage-alarm.*no threshold/);
    expect(bindAlarm(plan.database!.storage, "orders", 4 * 1024 ** 3).threshold).toBe(4 * 1024 ** 3);
  });

  it("appends the reason for the missing-data treatment to the description on-call reads", () => {
    const plan = planServiceMonitor({ healthCheck: { fqdn: "app.example.com" }, topic: "arn:aws:sns:us-east-1:123456789012:alerts" }, "monitor");

    expect(alarmDescription(plan.healthCheck.alarm)).toBe("app.example.com failed Route 53 health checks for 2 minutes. Missing data: A health check that stops reporting proves nothing about the service: silence counts as down.");
  });
});
