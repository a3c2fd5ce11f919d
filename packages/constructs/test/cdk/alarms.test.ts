import { describe, expect, it } from "vitest";
import { BackupAlarms, cloudWatchAlarm } from "@lifeboat/constructs/cdk";
import { bindAlarm, planServiceMonitor } from "@lifeboat/constructs/core";
import { all, newStack, templateOf } from "./support";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";

describe("CDK alarms", () => {
  it("renders BackupAlarms from core's backupAlarmSpecs: the verify period asked for, the topic as alarm and OK action", () => {
    const { stack } = newStack();

    new BackupAlarms(stack, "Alarms", { topic: TOPIC, sources: [{ name: "db", freshness: { thresholdMinutes: 90, periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1 } }], verifyPeriodSeconds: 900 });

    const alarms = all(templateOf(stack), "AWS::CloudWatch::Alarm").map((a) => a.Properties);
    expect(alarms.map((a) => [a.MetricName, a.Period, a.Threshold, a.TreatMissingData])).toEqual([
      ["BackupAgeMinutes", 300, 90, "breaching"],
      ["VerifyFailed", 900, 1, "notBreaching"],
    ]);
    expect(alarms.every((a) => a.AlarmActions[0] === TOPIC && a.OKActions[0] === TOPIC)).toBe(true);
  });

  it("refuses a verify period that is not whole minutes before creating any construct", () => {
    const { stack } = newStack();

    expect(() => new BackupAlarms(stack, "Alarms", { topic: TOPIC, verifyPeriodSeconds: 90 })).toThrow(/`verifyPeriodSeconds` \(90\)/);
    expect(stack.node.tryFindChild("Alarms")).toBeUndefined();
  });

  it("renders a metric-math alarm of core's model as hidden metrics and one expression that returns data", () => {
    const { stack } = newStack();
    const plan = planServiceMonitor({ healthCheck: { fqdn: "app.example.com" }, loadBalancer: { arnSuffix: "app/web/50dc6c495c0c9188" }, topic: TOPIC }, "monitor");

    cloudWatchAlarm(stack, bindAlarm(plan.loadBalancer5xx!, "app/web/50dc6c495c0c9188"), TOPIC);

    const [alarm] = all(templateOf(stack), "AWS::CloudWatch::Alarm").map((a) => a.Properties);
    expect(alarm.Threshold).toBe(5);
    expect(alarm.TreatMissingData).toBe("notBreaching");
    expect(alarm.AlarmDescription).toContain("Missing data: A period without requests");
    const returned = alarm.Metrics.filter((m: any) => m.ReturnData !== false);
    expect(returned).toEqual([expect.objectContaining({ Expression: "100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests", Label: "5xx responses (% of requests)" })]);
    expect(alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions, m.MetricStat.Stat])).toEqual([
      ["elb5xx", "HTTPCode_ELB_5XX_Count", [{ Name: "LoadBalancer", Value: "app/web/50dc6c495c0c9188" }], "Sum"],
      ["target5xx", "HTTPCode_Target_5XX_Count", [{ Name: "LoadBalancer", Value: "app/web/50dc6c495c0c9188" }], "Sum"],
      ["requests", "RequestCount", [{ Name: "LoadBalancer", Value: "app/web/50dc6c495c0c9188" }], "Sum"],
    ]);
  });
});
