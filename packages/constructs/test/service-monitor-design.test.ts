import { describe, expect, it } from "vitest";
import { LifeboatValidationError, monitorPostureAlarm, planServiceMonitor, ROUTE53_METRICS_REGION, type ServiceMonitorSettings } from "@lifeboat/constructs/core";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const passing: ServiceMonitorSettings = { healthCheck: { fqdn: "app.example.com" }, topic: TOPIC };

/** The problems core finds in `settings`, as `argument: value`. */
function problemsOf(settings: ServiceMonitorSettings): string[] {
  try {
    planServiceMonitor(settings, "monitor");
  } catch (error) {
    if (error instanceof LifeboatValidationError) return error.problems.map((p) => `${p.argument}: ${p.value}`);
    throw error;
  }
  return [];
}

describe("core's service monitor design", () => {
  it("decides an HTTPS check with SNI from every checker region, its alarm in us-east-1", () => {
    const plan = planServiceMonitor(passing, "monitor");

    expect(plan.healthCheck).toMatchObject({ type: "HTTPS", enableSni: true, alarmRegion: ROUTE53_METRICS_REGION, path: "/healthz", port: 443, requestInterval: 30, failureThreshold: 3 });
    expect(plan.healthCheck.regions).toBeUndefined();
  });

  it("keeps the checker regions asked for when there are at least three Route 53 offers", () => {
    const plan = planServiceMonitor({ ...passing, healthCheck: { fqdn: "app.example.com", regions: ["us-west-2", "eu-west-1", "sa-east-1"] } }, "monitor");

    expect(plan.healthCheck.regions).toEqual(["us-west-2", "eu-west-1", "sa-east-1"]);
  });

  it("refuses two checker regions, a region Route 53 has no checkers in, and a region named twice", () => {
    const hc = (regions: string[]) => ({ ...passing, healthCheck: { fqdn: "app.example.com", regions } });

    expect(problemsOf(hc(["us-east-1", "eu-west-1"]))).toEqual(['healthCheck.regions: ["us-east-1","eu-west-1"]']);
    expect(problemsOf(hc(["us-east-1", "eu-west-1", "eu-central-1"]))).toEqual(['healthCheck.regions: ["us-east-1","eu-west-1","eu-central-1"]']);
    expect(problemsOf(hc(["us-east-1", "eu-west-1", "eu-west-1"]))).toEqual(['healthCheck.regions: ["us-east-1","eu-west-1","eu-west-1"]']);
  });

  it("refuses a health check alarm topic whose ARN is a deploy-time value but whose region is known to be outside us-east-1", () => {
    const token = "${Token[TOKEN.12]}";

    expect(problemsOf({ ...passing, topic: token, healthCheckTopicRegion: "eu-west-1" })).toEqual(["topic: a topic in eu-west-1"]);
    expect(problemsOf({ ...passing, topic: TOPIC, healthCheckTopic: token, healthCheckTopicRegion: "eu-west-1" })).toEqual(["healthCheckTopic: a topic in eu-west-1"]);
    expect(problemsOf({ ...passing, topic: token, healthCheckTopicRegion: "us-east-1" })).toEqual([]);
  });

  it("refuses a storage alarm sized from a deploy-time value when the engine cannot compute with it, and accepts it when it can", () => {
    const database = { identifier: "orders", maxConnections: 100, allocatedStorageGiB: "${Token[TOKEN.7]}" };

    expect(problemsOf({ ...passing, database, deployTimeThresholds: false })).toEqual(["database.allocatedStorageGiB: a deploy-time value"]);
    expect(problemsOf({ ...passing, database })).toEqual([]);
  });

  it("lists a monitor alarm in the posture as monitor-<role>, with its missing-data handling and why", () => {
    const alarm = planServiceMonitor(passing, "monitor").healthCheck.alarm;

    expect(monitorPostureAlarm(alarm, "app-health-check-alarm")).toEqual({
      id: "monitor-health-check-alarm",
      name: "app-health-check-alarm",
      description: "Service monitor: health-check-alarm (missing data: breaching, A health check that stops reporting proves nothing about the service: silence counts as down.)",
    });
  });
});
