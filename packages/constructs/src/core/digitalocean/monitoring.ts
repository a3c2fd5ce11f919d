import { isDeployTimeValue, knownString } from "../deploy-time";
import { Duration, type DurationInput } from "../duration";
import { Problems } from "../errors";

/** Who DigitalOcean alerts reach: addresses and Slack incoming webhooks. */
export interface AlertRecipients<T = unknown> {
  /** @default - none */
  readonly emails?: readonly T[];
  /** @default - none */
  readonly slack?: readonly { readonly channel: T; readonly url: T }[];
}

/** The regions uptime checks probe from, as the API names them. */
export const UPTIME_REGIONS: readonly string[] = ["us_east", "us_west", "eu_west", "se_asia"];

/** Periods an uptime alert accepts. */
export const UPTIME_ALERT_PERIODS: readonly string[] = ["2m", "3m", "5m", "10m", "15m", "30m", "1h"];

/** Windows a monitor alert accepts. */
export const MONITOR_ALERT_WINDOWS: readonly string[] = ["5m", "10m", "30m", "1h"];

/** An uptime check, in the provider's shape. */
export interface UptimeCheckDesign<T> {
  readonly type: "https" | "http";
  readonly target: T;
  readonly regions: readonly string[];
  readonly enabled: true;
}

/**
 * An uptime alert. Enum values are the API's snake_case (`down_global`, `ssl_expiry`, `less_than`):
 * the Pulumi docs show camelCase, which the API refuses.
 */
export interface UptimeAlertDesign {
  /** The child's role in resource names: `down`, `tls-expiry`. */
  readonly role: string;
  readonly type: "down_global" | "down" | "latency" | "ssl_expiry";
  readonly period: string;
  readonly comparison?: "greater_than" | "less_than";
  readonly threshold?: number;
  readonly description: string;
}

/** What a monitor alert watches: droplets, database clusters or load balancers (by id). */
export type MonitoredKind = "droplets" | "databases" | "loadBalancers";

/** A monitor alert policy, in the provider's shape (`compare` is the API's `GreaterThan`). */
export interface MonitorAlertDesign {
  readonly role: string;
  readonly entities: MonitoredKind;
  readonly type: string;
  readonly compare: "GreaterThan";
  readonly value: number;
  readonly window: string;
  readonly description: string;
}

/** The metric types of each resource utilization alert. */
export const UTILIZATION_METRICS: Readonly<Record<"droplets" | "databases", Readonly<Record<"cpu" | "memory" | "disk", string>>>> = {
  droplets: { cpu: "v1/insights/droplet/cpu", memory: "v1/insights/droplet/memory_utilization_percent", disk: "v1/insights/droplet/disk_utilization_percent" },
  databases: { cpu: "v1/dbaas/alerts/cpu_alerts", memory: "v1/dbaas/alerts/memory_utilization_alerts", disk: "v1/dbaas/alerts/disk_utilization_alerts" },
};

/** The load balancer metric of the 5xx alert. */
export const LB_5XX_METRIC = "v1/insights/lbaas/increase_in_http_error_rate_percentage_5xx";

/** The settings of a DigitalOcean service monitor, as every front end accepts them. */
export interface DoServiceMonitorSettings {
  /**
   * The application's health URL, checked from several regions. A `https://` URL is also watched for
   * certificate expiry.
   * @default - no uptime check
   */
  readonly healthUrl?: unknown;
  /** Alert when the health URL has been down this long (2, 3, 5, 10, 15 or 30 minutes, or 1 hour). @default "2m" */
  readonly downFor?: DurationInput;
  /** Alert when the certificate expires within this many days. @default 14 */
  readonly tlsExpiryDays?: number;
  /** Alert when CPU, memory or disk use is above this percentage for `window`. @default 80 */
  readonly utilizationPercent?: number;
  /** Alert when the load balancers' 5xx rate is above this percentage. @default 5 */
  readonly loadBalancerErrorPercent?: number;
  /** How long a utilization or error level must last. @default "5m" */
  readonly window?: DurationInput;
  /** How many droplets, database clusters and load balancers are watched. */
  readonly counts: { readonly droplets: number; readonly databases: number; readonly loadBalancers: number };
  readonly recipients: AlertRecipients;
}

/** Everything decided for a service monitor. */
export interface DoServiceMonitorDesign {
  readonly uptime?: { readonly check: UptimeCheckDesign<unknown>; readonly alerts: readonly UptimeAlertDesign[] };
  readonly monitorAlerts: readonly MonitorAlertDesign[];
}

/** A duration as one of the period strings an alert accepts, or a problem. */
function periodOf(input: DurationInput, argument: string, allowed: readonly string[], problems: Problems): string | undefined {
  const d = Duration.check(input, argument, problems);
  if (!d) return undefined;
  const text = d.minutes === 60 ? "1h" : `${d.minutes}m`;
  if (!allowed.includes(text)) {
    problems.add(argument, d, `must be one of ${allowed.join(", ")} (what DigitalOcean accepts).`);
    return undefined;
  }
  return text;
}

/** Records a problem unless at least one email or Slack channel receives alerts. */
export function checkAlertRecipients(recipients: AlertRecipients | undefined, argument: string, problems: Problems): boolean {
  const emails = recipients?.emails ?? [];
  const slack = recipients?.slack ?? [];
  const before = problems.all.length;
  if (emails.length + slack.length === 0) problems.add(argument, recipients, "must name at least one email address or Slack channel: an alert nobody receives is not an alert.");
  emails.forEach((e, i) => {
    const known = knownString(e);
    if (!isDeployTimeValue(e) && (known === undefined || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(known))) problems.add(`${argument}.emails[${i}]`, e, 'must be an email address such as "oncall@example.com".');
  });
  slack.forEach((s, i) => {
    const url = s?.url;
    if (!isDeployTimeValue(url) && (typeof url !== "string" || !url.startsWith("https://hooks.slack.com/"))) {
      // A webhook URL is a credential: never print it back.
      problems.add(`${argument}.slack[${i}].url`, typeof url === "string" ? "a URL not on hooks.slack.com" : url, "must be a Slack incoming webhook (https://hooks.slack.com/services/...); pass it as a secret.");
    }
    if (!isDeployTimeValue(s?.channel) && (typeof s?.channel !== "string" || s.channel === "")) problems.add(`${argument}.slack[${i}].channel`, s?.channel, 'must name the channel, such as "#oncall".');
  });
  return problems.all.length === before;
}

/** Validates and decides a service monitor; values known only at deploy time are not checked. */
export function checkDoServiceMonitor(settings: DoServiceMonitorSettings, problems: Problems, path = ""): DoServiceMonitorDesign | undefined {
  const before = problems.all.length;
  checkAlertRecipients(settings?.recipients, `${path}alerts`, problems);
  const url = settings?.healthUrl;
  if (url !== undefined && !isDeployTimeValue(url) && (typeof url !== "string" || !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(url))) {
    problems.add(`${path}healthUrl`, url, 'must be an http:// or https:// URL such as "https://app.example.com/healthz".');
  }
  const downPeriod = periodOf(settings?.downFor ?? "2m", `${path}downFor`, UPTIME_ALERT_PERIODS, problems);
  const window = periodOf(settings?.window ?? "5m", `${path}window`, MONITOR_ALERT_WINDOWS, problems);
  const tlsDays = settings?.tlsExpiryDays ?? 14;
  if (!Number.isInteger(tlsDays) || tlsDays < 1 || tlsDays > 90) problems.add(`${path}tlsExpiryDays`, settings.tlsExpiryDays, "must be a whole number of days from 1 to 90 (certificates from Let's Encrypt renew 30 days before expiry).");
  const percent = settings?.utilizationPercent ?? 80;
  if (typeof percent !== "number" || percent <= 0 || percent >= 100) problems.add(`${path}utilizationPercent`, settings.utilizationPercent, "must be a percentage above 0 and below 100.");
  const lbPercent = settings?.loadBalancerErrorPercent ?? 5;
  if (typeof lbPercent !== "number" || lbPercent <= 0 || lbPercent >= 100) problems.add(`${path}loadBalancerErrorPercent`, settings.loadBalancerErrorPercent, "must be a percentage above 0 and below 100.");
  const counts = settings?.counts ?? { droplets: 0, databases: 0, loadBalancers: 0 };
  if (url === undefined && counts.droplets + counts.databases + counts.loadBalancers === 0) {
    problems.add(`${path}healthUrl`, url, "must be set, or droplets, databases or load balancers listed: the monitor would watch nothing.");
  }
  if (problems.all.length > before || !downPeriod || !window) return undefined;

  const https = typeof url === "string" ? url.startsWith("https://") : true;
  const uptimeAlerts: UptimeAlertDesign[] = [{ role: "down", type: "down_global", period: downPeriod, description: `The application's health check has failed from every probing region for ${downPeriod}.` }];
  if (https) uptimeAlerts.push({ role: "tls-expiry", type: "ssl_expiry", period: "5m", comparison: "less_than", threshold: tlsDays, description: `The application's TLS certificate expires in less than ${tlsDays} days.` });
  const monitorAlerts: MonitorAlertDesign[] = [];
  for (const kind of ["droplets", "databases"] as const) {
    if (counts[kind] === 0) continue;
    for (const [metric, type] of Object.entries(UTILIZATION_METRICS[kind])) {
      const what = kind === "droplets" ? "Droplet" : "Database cluster";
      monitorAlerts.push({ role: `${kind === "droplets" ? "droplet" : "database"}-${metric}`, entities: kind, type, compare: "GreaterThan", value: percent, window, description: `${what} ${metric === "cpu" ? "CPU" : metric} use above ${percent}% for ${window}.` });
    }
  }
  if (counts.loadBalancers > 0) {
    monitorAlerts.push({ role: "load-balancer-5xx", entities: "loadBalancers", type: LB_5XX_METRIC, compare: "GreaterThan", value: lbPercent, window, description: `Load balancer 5xx responses above ${lbPercent}% for ${window}.` });
  }
  return {
    ...(url !== undefined ? { uptime: { check: { type: https ? ("https" as const) : ("http" as const), target: url, regions: UPTIME_REGIONS, enabled: true as const }, alerts: uptimeAlerts } } : {}),
    monitorAlerts,
  };
}

/** {@link checkDoServiceMonitor}, throwing every problem at once. */
export function designDoServiceMonitor(settings: DoServiceMonitorSettings, subject: string): DoServiceMonitorDesign {
  const problems = new Problems();
  const design = checkDoServiceMonitor(settings, problems);
  problems.throwIfAny(subject);
  return design as DoServiceMonitorDesign;
}

/**
 * The dead-man's switch on the runner's health endpoint: the endpoint answers 503 as soon as a
 * backup is older than its RPO or the last verification failed, and stops answering when the runner
 * dies; either way the uptime check fails and, after `period`, every recipient is paged. The period
 * is 5 minutes so that a reboot of the runner does not page anyone.
 */
export function deadMansSwitchAlert(): UptimeAlertDesign {
  return { role: "down", type: "down_global", period: "5m", description: "The backup runner's health endpoint has answered 503 (a backup late or a verification failed) or nothing (the runner is down) for 5 minutes." };
}
