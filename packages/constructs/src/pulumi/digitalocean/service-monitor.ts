import * as pulumi from "@pulumi/pulumi";
import { MonitorAlert } from "@pulumi/digitalocean/monitorAlert";
import { UptimeAlert } from "@pulumi/digitalocean/uptimeAlert";
import { UptimeCheck } from "@pulumi/digitalocean/uptimeCheck";
import { designDoServiceMonitor, type DoServiceMonitorSettings, type MonitoredKind } from "../../core/digitalocean";
import { type AlertRecipientsArgs, monitorRecipients, uptimeNotifications } from "./alerts";

/** Arguments of a DigitalOcean {@link ServiceMonitor}; thresholds are declared once in core ({@link DoServiceMonitorSettings}). */
export interface ServiceMonitorArgs extends Omit<DoServiceMonitorSettings, "counts" | "recipients" | "healthUrl"> {
  /** The application's health URL, such as `https://app.example.com/healthz`. @default - no uptime check */
  readonly healthUrl?: pulumi.Input<string>;
  /** Droplets watched for CPU, memory and disk use. @default - none */
  readonly droplets?: readonly pulumi.Input<string>[];
  /** Database clusters watched for CPU, memory and disk use. @default - none */
  readonly databases?: readonly pulumi.Input<string>[];
  /** Load balancers watched for 5xx responses. @default - none */
  readonly loadBalancers?: readonly pulumi.Input<string>[];
  readonly alerts: AlertRecipientsArgs;
}

/**
 * Production monitoring on DigitalOcean: an uptime check of the application's health URL from every
 * probing region that alerts when it has been down 2 minutes, and when its certificate nears
 * expiry; droplet and database CPU, memory and disk above 80%; load balancer 5xx responses.
 * App Platform apps are covered by the uptime check (their own metrics have no alert policy type).
 *
 * @example
 * new ServiceMonitor("app", { healthUrl: "https://app.example.com/healthz", databases: [db.id], alerts: { emails: ["oncall@example.com"] } });
 */
export class ServiceMonitor extends pulumi.ComponentResource {
  readonly check?: UptimeCheck;
  readonly uptimeAlerts: UptimeAlert[] = [];
  readonly monitorAlerts: MonitorAlert[] = [];

  constructor(name: string, args: ServiceMonitorArgs, opts?: pulumi.ComponentResourceOptions) {
    const entities: Record<MonitoredKind, readonly pulumi.Input<string>[]> = { droplets: args.droplets ?? [], databases: args.databases ?? [], loadBalancers: args.loadBalancers ?? [] };
    const design = designDoServiceMonitor(
      { ...args, counts: { droplets: entities.droplets.length, databases: entities.databases.length, loadBalancers: entities.loadBalancers.length }, recipients: args.alerts },
      `ServiceMonitor "${name}"`,
    );
    super("lifeboat:digitalocean:ServiceMonitor", name, {}, opts);
    if (design.uptime) {
      const c = design.uptime.check;
      this.check = new UptimeCheck(`${name}-health-check`, { name: `${name}-health`, type: c.type, target: args.healthUrl as pulumi.Input<string>, regions: [...c.regions], enabled: c.enabled }, { parent: this });
      for (const a of design.uptime.alerts) {
        this.uptimeAlerts.push(
          new UptimeAlert(
            `${name}-health-${a.role}`,
            { checkId: this.check.id, name: `${name}-health-${a.role}`, type: a.type, period: a.period, ...(a.comparison ? { comparison: a.comparison } : {}), ...(a.threshold !== undefined ? { threshold: a.threshold } : {}), notifications: uptimeNotifications(args.alerts) },
            { parent: this },
          ),
        );
      }
    }
    for (const a of design.monitorAlerts) {
      this.monitorAlerts.push(
        new MonitorAlert(
          `${name}-${a.role}`,
          { type: a.type, compare: a.compare, value: a.value, window: a.window, description: a.description, enabled: true, entities: [...entities[a.entities]], alerts: monitorRecipients(args.alerts) },
          { parent: this },
        ),
      );
    }
    this.registerOutputs({});
  }
}
