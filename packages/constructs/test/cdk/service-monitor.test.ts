import { Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as rds from "aws-cdk-lib/aws-rds";
import { describe, expect, it } from "vitest";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as s3 from "aws-cdk-lib/aws-s3";
import { AlertTopic, DisasterRecoveryEstate, ServiceMonitor } from "@lifeboat/constructs/cdk";
import { freeStorageThresholdBytes } from "@lifeboat/constructs/core";
import { all, newStack, only, templateOf } from "./support";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const LB = "app/web/50dc6c495c0c9188";
const ALARM = "AWS::CloudWatch::Alarm";

/** The stack's alarms by metric name. */
function alarmsByMetric(stack: Stack): Record<string, Record<string, any>> {
  return Object.fromEntries(all(templateOf(stack), ALARM).map((a) => [a.Properties.MetricName ?? "math", a.Properties]));
}

describe("CDK ServiceMonitor", () => {
  it("checks https://<fqdn>/healthz on port 443 every 30 seconds with SNI, unhealthy after 3 failures", () => {
    const { stack } = newStack();

    new ServiceMonitor(stack, "App", { topic: TOPIC, healthCheck: { fqdn: "app.example.com" } });

    expect(only(templateOf(stack), "AWS::Route53::HealthCheck").Properties.HealthCheckConfig).toMatchObject({
      Type: "HTTPS",
      FullyQualifiedDomainName: "app.example.com",
      Port: 443,
      ResourcePath: "/healthz",
      RequestInterval: 30,
      FailureThreshold: 3,
      EnableSNI: true,
    });
    expect(only(templateOf(stack), "AWS::Route53::HealthCheck").Properties.HealthCheckConfig.Regions).toBeUndefined();
  });

  it("alarms when the health check has been down 2 minutes, counting silence as down, to the topic when it fires and clears", () => {
    const { stack } = newStack();

    const monitor = new ServiceMonitor(stack, "App", { topic: TOPIC, healthCheck: { fqdn: "app.example.com" } });

    const template = templateOf(stack);
    const [healthCheckId] = Object.keys(template.findResources("AWS::Route53::HealthCheck"));
    expect(only(template, ALARM).Properties).toMatchObject({
      Namespace: "AWS/Route53",
      MetricName: "HealthCheckStatus",
      Dimensions: [{ Name: "HealthCheckId", Value: { Ref: healthCheckId } }],
      Statistic: "Minimum",
      Period: 60,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
      AlarmActions: [TOPIC],
      OKActions: [TOPIC],
    });
    expect(monitor.alarms.map((a) => [a.role, a.treatMissingData])).toEqual([["health-check-alarm", "breaching"]]);
    expect(only(template, ALARM).Properties.AlarmDescription).toContain("silence counts as down");
  });

  it("checks the path, port, interval, threshold and checker regions asked for, and waits the minutes asked for", () => {
    const { stack } = newStack();

    new ServiceMonitor(stack, "App", {
      topic: TOPIC,
      healthCheck: { fqdn: "app.example.com", path: "/ready", port: 8443, requestInterval: 10, failureThreshold: 2, alarmAfter: "5m", regions: ["us-east-1", "eu-west-1", "ap-southeast-2"] },
    });

    expect(only(templateOf(stack), "AWS::Route53::HealthCheck").Properties.HealthCheckConfig).toMatchObject({ ResourcePath: "/ready", Port: 8443, RequestInterval: 10, FailureThreshold: 2, Regions: ["us-east-1", "eu-west-1", "ap-southeast-2"] });
    expect(only(templateOf(stack), ALARM).Properties).toMatchObject({ EvaluationPeriods: 5, DatapointsToAlarm: 5 });
  });

  it("alarms at 80% of max connections for 5 minutes and at 80% of the instance's allocated storage in use, read from the instance", () => {
    const { stack } = newStack();
    const vpc = new ec2.Vpc(stack, "Vpc", { natGateways: 0, subnetConfiguration: [{ name: "private", subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const db = new rds.DatabaseInstance(stack, "Orders", { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_15 }), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, allocatedStorage: 100 });

    new ServiceMonitor(stack, "App", { topic: TOPIC, healthCheck: { fqdn: "app.example.com" }, database: { instance: db, maxConnections: 410 } });

    const template = templateOf(stack);
    const [instanceId] = Object.keys(template.findResources("AWS::RDS::DBInstance"));
    const alarms = alarmsByMetric(stack);
    expect(alarms.DatabaseConnections).toMatchObject({
      Namespace: "AWS/RDS",
      Dimensions: [{ Name: "DBInstanceIdentifier", Value: { Ref: instanceId } }],
      Statistic: "Maximum",
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      Threshold: 328,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
      AlarmActions: [TOPIC],
      OKActions: [TOPIC],
    });
    expect(alarms.FreeStorageSpace).toMatchObject({
      Namespace: "AWS/RDS",
      Dimensions: [{ Name: "DBInstanceIdentifier", Value: { Ref: instanceId } }],
      Statistic: "Minimum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 20 * 1024 ** 3,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "missing",
    });
  });

  it("watches a database given by identifier at the thresholds asked for", () => {
    const { stack } = newStack();

    new ServiceMonitor(stack, "App", { topic: TOPIC, healthCheck: { fqdn: "app.example.com" }, database: { instance: "legacy", maxConnections: 200, allocatedStorageGiB: 500, connectionsPercent: 90, storageUsedPercent: 75 } });

    const alarms = alarmsByMetric(stack);
    expect(alarms.DatabaseConnections).toMatchObject({ Threshold: 180, Dimensions: [{ Name: "DBInstanceIdentifier", Value: "legacy" }] });
    expect(alarms.FreeStorageSpace).toMatchObject({ Threshold: freeStorageThresholdBytes(500, 75), Dimensions: [{ Name: "DBInstanceIdentifier", Value: "legacy" }] });
  });

  it("alarms when more than 5% of a load balancer's requests are 5xx, as core's metric-math alarm", () => {
    const { stack } = newStack();

    const monitor = new ServiceMonitor(stack, "App", { topic: TOPIC, healthCheck: { fqdn: "app.example.com" }, loadBalancer: { arnSuffix: LB, threshold: 2, period: "10m" } });

    const alarm = alarmsByMetric(stack).math!;
    expect(alarm).toMatchObject({ Threshold: 2, ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "notBreaching", AlarmActions: [TOPIC], OKActions: [TOPIC] });
    expect(alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.MetricStat.Metric.MetricName, m.MetricStat.Period, m.MetricStat.Metric.Dimensions])).toEqual([
      ["HTTPCode_ELB_5XX_Count", 600, [{ Name: "LoadBalancer", Value: LB }]],
      ["HTTPCode_Target_5XX_Count", 600, [{ Name: "LoadBalancer", Value: LB }]],
      ["RequestCount", 600, [{ Name: "LoadBalancer", Value: LB }]],
    ]);
    expect(monitor.alarms.map((a) => a.role)).toEqual(["health-check-alarm", "5xx-rate-alarm"]);
  });

  it("sends every alarm to an AlertTopic of its stack, and lists them for the posture as monitor-<role>", () => {
    const { stack } = newStack();
    const alerts = new AlertTopic(stack, "Alerts");

    const monitor = new ServiceMonitor(stack, "App", { topic: alerts, healthCheck: { fqdn: "app.example.com" }, database: { instance: "legacy", maxConnections: 100, allocatedStorageGiB: 20 } });

    const topicRef = { Ref: Object.keys(templateOf(stack).findResources("AWS::SNS::Topic"))[0] };
    for (const alarm of all(templateOf(stack), ALARM)) expect(alarm.Properties).toMatchObject({ AlarmActions: [topicRef], OKActions: [topicRef] });
    expect(monitor.postureAlarms((v) => stack.resolve(v).Ref).map((a) => a.id)).toEqual(["monitor-health-check-alarm", "monitor-db-connections-alarm", "monitor-db-storage-alarm"]);
    expect(monitor.postureAlarms((v) => stack.resolve(v).Ref)[2]!.description).toContain("missing data: missing");
  });

  it("puts the health check and its alarm in a us-east-1 sibling stack when its own stack is elsewhere, and keeps the database alarms beside the database", () => {
    const { app, stack } = newStack({ env: { account: "123456789012", region: "eu-west-1" } });
    const west = "arn:aws:sns:eu-west-1:123456789012:alerts";

    new ServiceMonitor(stack, "App", { topic: west, healthCheckTopic: TOPIC, healthCheck: { fqdn: "app.example.com" }, database: { instance: "orders", maxConnections: 100, allocatedStorageGiB: 20 } });

    const support = app.node.findChild("Primary-monitor-us-east-1") as Stack;
    expect(support.region).toBe("us-east-1");
    expect(support.account).toBe("123456789012");
    expect(only(templateOf(support), "AWS::Route53::HealthCheck").Properties.HealthCheckConfig.FullyQualifiedDomainName).toBe("app.example.com");
    expect(only(templateOf(support), ALARM).Properties).toMatchObject({ MetricName: "HealthCheckStatus", AlarmActions: [TOPIC], OKActions: [TOPIC] });
    expect(all(templateOf(stack), ALARM).map((a) => [a.Properties.MetricName, a.Properties.AlarmActions])).toEqual([
      ["DatabaseConnections", [west]],
      ["FreeStorageSpace", [west]],
    ]);
    expect(all(templateOf(stack), "AWS::Route53::HealthCheck")).toEqual([]);
  });

  it("is the estate's monitor: every alarm to the estate's topic, each in the posture as monitor-<role>", () => {
    const { stack } = newStack();

    const estate = new DisasterRecoveryEstate(stack, "Estate", {
      objectives: { rpo: "1h", rto: "4h", drRegion: "us-west-2" },
      sources: [{ name: "uploads", kind: "objects", engine: "s3", bucket: new s3.Bucket(stack, "Uploads") }],
      alerts: { emails: ["oncall@example.com"] },
      jobs: { code: { repository: ecr.Repository.fromRepositoryName(stack, "Jobs", "lifeboat-jobs"), tag: "0.1.0" } },
      monitor: { healthCheck: { fqdn: "app.example.com" }, database: { instance: "orders", maxConnections: 100, allocatedStorageGiB: 20 } },
    });

    const topicRef = stack.resolve(estate.alerts.topicArn);
    for (const a of estate.monitor!.alarms) expect(stack.resolve(a.alarm.alarmActions)).toEqual([topicRef]);
    const listed = estate.posture().alerts.estateAlarms.filter((a) => a.id.startsWith("monitor-"));
    expect(listed.map((a) => [a.id, a.name])).toEqual(estate.monitor!.alarms.map((a) => [`monitor-${a.role}`, `<${stack.resolve(a.alarm.ref).Ref}>`]));
    expect(listed.map((a) => a.id)).toEqual(["monitor-health-check-alarm", "monitor-db-connections-alarm", "monitor-db-storage-alarm"]);
  });
});
