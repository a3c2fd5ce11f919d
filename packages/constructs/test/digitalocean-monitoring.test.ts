import { describe, expect, it } from "vitest";
import { DeadMansSwitch, ServiceMonitor } from "@lifeboat/constructs/pulumi/digitalocean";
import { record } from "./support";

const UPTIME_CHECK = "digitalocean:index/uptimeCheck:UptimeCheck";
const UPTIME_ALERT = "digitalocean:index/uptimeAlert:UptimeAlert";
const MONITOR_ALERT = "digitalocean:index/monitorAlert:MonitorAlert";
const alerts = { emails: ["oncall@example.com"], slack: [{ channel: "#oncall", url: "https://hooks.slack.com/services/T0/B0/x" }] };

describe("ServiceMonitor (DigitalOcean)", () => {
  it("checks /healthz from every probing region and alerts, in the API's snake_case, when down globally for 2 minutes or the certificate expires within 14 days", async () => {
    const rec = await record(() => new ServiceMonitor("app", { healthUrl: "https://app.example.com/healthz", alerts }));
    const check = rec.get(UPTIME_CHECK, "app-health-check");

    expect(check.inputs).toEqual({ name: "app-health", type: "https", target: "https://app.example.com/healthz", regions: ["us_east", "us_west", "eu_west", "se_asia"], enabled: true });
    expect(rec.get(UPTIME_ALERT, "app-health-down").inputs).toMatchObject({ checkId: check.id, type: "down_global", period: "2m" });
    expect(rec.get(UPTIME_ALERT, "app-health-tls-expiry").inputs).toMatchObject({ type: "ssl_expiry", comparison: "less_than", threshold: 14, period: "5m" });
    expect(rec.get(UPTIME_ALERT, "app-health-down").inputs.notifications).toEqual([{ emails: ["oncall@example.com"], slacks: [{ channel: "#oncall", url: "[secret]" }] }]);
  });

  it("alerts when droplet and database CPU, memory or disk stay above 80% for 5 minutes, and on load balancer 5xx above 5%", async () => {
    const rec = await record(() => new ServiceMonitor("app", { droplets: ["101"], databases: ["db-uuid"], loadBalancers: ["lb-uuid"], alerts: { emails: ["oncall@example.com"] } }));
    const summary = rec.ofType(MONITOR_ALERT).map((a) => [a.name, a.inputs.type, a.inputs.compare, a.inputs.value, a.inputs.window, a.inputs.entities]);

    expect(summary).toEqual([
      ["app-droplet-cpu", "v1/insights/droplet/cpu", "GreaterThan", 80, "5m", ["101"]],
      ["app-droplet-memory", "v1/insights/droplet/memory_utilization_percent", "GreaterThan", 80, "5m", ["101"]],
      ["app-droplet-disk", "v1/insights/droplet/disk_utilization_percent", "GreaterThan", 80, "5m", ["101"]],
      ["app-database-cpu", "v1/dbaas/alerts/cpu_alerts", "GreaterThan", 80, "5m", ["db-uuid"]],
      ["app-database-memory", "v1/dbaas/alerts/memory_utilization_alerts", "GreaterThan", 80, "5m", ["db-uuid"]],
      ["app-database-disk", "v1/dbaas/alerts/disk_utilization_alerts", "GreaterThan", 80, "5m", ["db-uuid"]],
      ["app-load-balancer-5xx", "v1/insights/lbaas/increase_in_http_error_rate_percentage_5xx", "GreaterThan", 5, "5m", ["lb-uuid"]],
    ]);
    expect(rec.ofType(UPTIME_CHECK)).toEqual([]);
  });

  it("watches a plain-http health URL without a certificate alert", async () => {
    const rec = await record(() => new ServiceMonitor("app", { healthUrl: "http://203.0.113.9/healthz", downFor: "5m", alerts }));

    expect(rec.ofType(UPTIME_ALERT).map((a) => [a.inputs.type, a.inputs.period])).toEqual([["down_global", "5m"]]);
    expect(rec.get(UPTIME_CHECK, "app-health-check").inputs.type).toBe("http");
  });
});

describe("DeadMansSwitch", () => {
  it("pages email and Slack when the runner's health endpoint has failed or gone silent for 5 minutes", async () => {
    const rec = await record(() => new DeadMansSwitch("backups", { healthUrl: "http://203.0.113.7:8080/healthz", alerts }));
    const check = rec.get(UPTIME_CHECK, "backups-check");

    expect(check.inputs).toMatchObject({ type: "http", target: "http://203.0.113.7:8080/healthz", enabled: true });
    expect(rec.get(UPTIME_ALERT, "backups-alert").inputs).toEqual({
      checkId: check.id,
      name: "backups-backup-health-down",
      type: "down_global",
      period: "5m",
      notifications: [{ emails: ["oncall@example.com"], slacks: [{ channel: "#oncall", url: "[secret]" }] }],
    });
  });
});
