import { describe, expect, it } from "vitest";
import * as rds from "@pulumi/aws/rds";
import { freeStorageThresholdBytes } from "@lifeboat/constructs/core";
import { AlertTopic, ServiceMonitor } from "@lifeboat/constructs/pulumi/aws";
import { record } from "./support";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const LB = "app/web/50dc6c495c0c9188";

describe("ServiceMonitor", () => {
  it("checks https://<fqdn>/healthz on port 443 every 30 seconds, unhealthy after 3 failures", async () => {
    const rec = await record(() => new ServiceMonitor("app", { topic: TOPIC, healthCheck: { fqdn: "app.example.com" } }));

    expect(rec.get("aws:route53/healthCheck:HealthCheck", "app-health-check").inputs).toEqual({
      type: "HTTPS",
      fqdn: "app.example.com",
      port: 443,
      resourcePath: "/healthz",
      requestInterval: 30,
      failureThreshold: 3,
      enableSni: true,
    });
  });

  it("alarms in us-east-1 when the health check has been down 2 minutes, counting silence as down", async () => {
    const rec = await record(() => new ServiceMonitor("app", { topic: TOPIC, healthCheck: { fqdn: "app.example.com" } }), { cloud: { region: "eu-west-1" }, config: { "aws:region": "eu-west-1" } });
    const healthCheck = rec.get("aws:route53/healthCheck:HealthCheck", "app-health-check");
    const alarm = rec.get(ALARM, "app-health-check-alarm");

    expect(alarm.inputs).toMatchObject({
      region: "us-east-1",
      namespace: "AWS/Route53",
      metricName: "HealthCheckStatus",
      dimensions: { HealthCheckId: healthCheck.id },
      statistic: "Minimum",
      period: 60,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
      actionsEnabled: true,
      alarmActions: [TOPIC],
      okActions: [TOPIC],
    });
    expect(alarm.outputs.arn).toMatch(/^arn:aws:cloudwatch:us-east-1:/);
    expect(healthCheck.outputs.arn).toMatch(/^arn:aws:route53:::healthcheck\//);
  });

  it("sends the health check alarm to its own us-east-1 topic when given one", async () => {
    const east = "arn:aws:sns:us-east-1:123456789012:alerts-east";
    const west = "arn:aws:sns:us-west-2:123456789012:alerts";
    const rec = await record(() => new ServiceMonitor("app", { topic: west, healthCheckTopic: east, healthCheck: { fqdn: "app.example.com", alarmAfter: "5m", requestInterval: 10, failureThreshold: 2, path: "/ready", port: 8443 } }));

    expect(rec.get(ALARM, "app-health-check-alarm").inputs).toMatchObject({ alarmActions: [east], okActions: [east], evaluationPeriods: 5, datapointsToAlarm: 5 });
    expect(rec.get("aws:route53/healthCheck:HealthCheck", "app-health-check").inputs).toMatchObject({ resourcePath: "/ready", port: 8443, requestInterval: 10, failureThreshold: 2 });
  });

  it("alarms when more than 5% of requests over 5 minutes are 5xx, counting ELB and target errors, filling absent counts with 0", async () => {
    const rec = await record(() => new ServiceMonitor("app", { topic: new AlertTopic("alerts"), healthCheck: { fqdn: "app.example.com" }, loadBalancer: { arnSuffix: LB } }));
    const topicArn = rec.get("aws:sns/topic:Topic", "alerts-topic").outputs.arn;
    const metric = (id: string, metricName: string) => ({
      id,
      returnData: false,
      metric: { namespace: "AWS/ApplicationELB", metricName, stat: "Sum", period: 300, dimensions: { LoadBalancer: LB } },
    });

    expect(rec.get(ALARM, "app-5xx-rate-alarm").inputs).toMatchObject({
      comparisonOperator: "GreaterThanThreshold",
      threshold: 5,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "notBreaching",
      actionsEnabled: true,
      alarmActions: [topicArn],
      okActions: [topicArn],
      metricQueries: [
        metric("elb5xx", "HTTPCode_ELB_5XX_Count"),
        metric("target5xx", "HTTPCode_Target_5XX_Count"),
        metric("requests", "RequestCount"),
        { id: "rate", expression: "100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests", label: "5xx responses (% of requests)", returnData: true },
      ],
    });
    expect(rec.get(ALARM, "app-5xx-rate-alarm").inputs.region).toBeUndefined();
  });

  it("alarms at 80% of max connections for 5 minutes and at 80% of the instance's allocated storage in use", async () => {
    const rec = await record(() => {
      const db = new rds.Instance("orders", { identifier: "orders", engine: "postgres", instanceClass: "db.t4g.medium", allocatedStorage: 100 });
      new ServiceMonitor("app", { topic: TOPIC, healthCheck: { fqdn: "app.example.com" }, database: { instance: db, maxConnections: 410 } });
    });

    expect(rec.get(ALARM, "app-db-connections-alarm").inputs).toMatchObject({
      namespace: "AWS/RDS",
      metricName: "DatabaseConnections",
      dimensions: { DBInstanceIdentifier: "orders" },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      threshold: 328,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [TOPIC],
    });
    expect(rec.get(ALARM, "app-db-storage-alarm").inputs).toMatchObject({
      namespace: "AWS/RDS",
      metricName: "FreeStorageSpace",
      dimensions: { DBInstanceIdentifier: "orders" },
      statistic: "Minimum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 20 * 1024 ** 3,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "missing",
      alarmActions: [TOPIC],
    });
  });

  it("watches a database given by identifier at the thresholds asked for", async () => {
    const rec = await record(
      () =>
        new ServiceMonitor("app", {
          topic: TOPIC,
          healthCheck: { fqdn: "app.example.com" },
          database: { instance: "legacy", maxConnections: 200, allocatedStorageGiB: 500, connectionsPercent: 90, storageUsedPercent: 75 },
        }),
    );

    expect(rec.get(ALARM, "app-db-connections-alarm").inputs).toMatchObject({ threshold: 180, dimensions: { DBInstanceIdentifier: "legacy" } });
    expect(rec.get(ALARM, "app-db-storage-alarm").inputs).toMatchObject({ threshold: freeStorageThresholdBytes(500, 75), dimensions: { DBInstanceIdentifier: "legacy" } });
    expect(freeStorageThresholdBytes(500, 75)).toBe(125 * 1024 ** 3);
  });

  it("creates only the health check and its alarm when given nothing else, and says why each alarm treats silence as it does", async () => {
    let monitor: ServiceMonitor | undefined;
    const rec = await record(() => {
      monitor = new ServiceMonitor("app", { topic: TOPIC, healthCheck: { fqdn: "app.example.com" } });
    });

    expect(rec.ofType(ALARM).map((a) => a.name)).toEqual(["app-health-check-alarm"]);
    expect(monitor!.alarms.map((a) => [a.role, a.treatMissingData])).toEqual([["health-check-alarm", "breaching"]]);
    expect(String(rec.get(ALARM, "app-health-check-alarm").inputs.alarmDescription)).toContain("silence counts as down");
  });
});
