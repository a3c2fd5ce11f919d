import type { PostureAlarm } from "../posture";
import type { AlarmSpec, UnboundAlarmSpec } from "./alarms";
import { checkDatabaseIdentifier, regionOfArn } from "./database-backup";
import { isDeployTimeValue, knownString } from "../deploy-time";
import { Duration, type DurationInput, checkWholeUnits } from "../duration";
import { LifeboatValidationError, Problems } from "../errors";

/**
 * Route 53 publishes health check metrics only in us-east-1, so an alarm on a health check lives
 * there, and so must the SNS topic it notifies (an alarm can only notify a topic in its own region).
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 */
export const ROUTE53_METRICS_REGION = "us-east-1";

/**
 * The regions Route 53 health checkers run from: a health check names at least three of them.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
 */
export const ROUTE53_CHECKER_REGIONS = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"] as const;

/** The HTTPS endpoint Route 53 checks, declared once for every front end. `S` is how a front end writes a string (a Pulumi Input, a CDK token). */
export interface HealthCheckSettings<S = string> {
  /** The host name checked, such as `"app.example.com"` (no scheme, no path). */
  readonly fqdn: S;
  /** @default "/healthz" */
  readonly path?: S;
  /** @default 443 */
  readonly port?: number;
  /**
   * Seconds between checks from each checker: 10 or 30.
   * @default 30
   */
  readonly requestInterval?: 10 | 30;
  /**
   * Consecutive failed checks before Route 53 calls the endpoint unhealthy (1 to 10).
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * How long the health check must be unhealthy before the alarm fires (whole minutes, 1 to 60).
   * @default 2 minutes
   */
  readonly alarmAfter?: DurationInput;
  /**
   * Regions the Route 53 checkers run from: at least three of {@link ROUTE53_CHECKER_REGIONS}.
   * @default - every checker region
   */
  readonly regions?: readonly string[];
}

/** The Application Load Balancer whose 5xx rate is watched, declared once for every front end. */
export interface LoadBalancerMonitorSettings<S = string> {
  /** The load balancer's `arnSuffix` (`app/<name>/<id>`): CloudWatch's LoadBalancer dimension. */
  readonly arnSuffix: S;
  /**
   * The share of requests answered 5xx, by the load balancer or its targets, above which the alarm fires (percent).
   * @default 5
   */
  readonly threshold?: number;
  /**
   * The period the rate is measured over (whole minutes).
   * @default 5 minutes
   */
  readonly period?: DurationInput;
}

/** The RDS instance's limits that its connection and storage alarms compare with, declared once for every front end. `N` is how a front end writes a number. */
export interface DatabaseMonitorSettings<N = number> {
  /** The instance's `max_connections` (it depends on the engine, class and parameter group). */
  readonly maxConnections: number;
  /**
   * The instance's allocated storage in GiB. With storage autoscaling, the alarm follows the value
   * the program last deployed.
   * @default - the instance's allocated storage (required when the instance is given by identifier)
   */
  readonly allocatedStorageGiB?: N;
  /**
   * Connections, as a percentage of `maxConnections`, at which the alarm fires.
   * @default 80
   */
  readonly connectionsPercent?: number;
  /**
   * Storage in use, as a percentage of the allocated storage, at which the alarm fires.
   * @default 80
   */
  readonly storageUsedPercent?: number;
}

/** The engine-neutral settings of a service monitor, as received (so checked). Values known only at deploy time are skipped. */
export interface ServiceMonitorSettings {
  readonly healthCheck: {
    readonly fqdn: unknown;
    readonly path?: unknown;
    readonly port?: unknown;
    readonly requestInterval?: unknown;
    readonly failureThreshold?: unknown;
    readonly alarmAfter?: DurationInput;
    readonly regions?: unknown;
  };
  readonly loadBalancer?: { readonly arnSuffix: unknown; readonly threshold?: unknown; readonly period?: DurationInput };
  readonly database?: {
    readonly identifier?: unknown;
    readonly maxConnections: unknown;
    /** The allocated storage: a number (checked), a deploy-time value (not checked) or `undefined` (refused). */
    readonly allocatedStorageGiB?: unknown;
    readonly connectionsPercent?: unknown;
    readonly storageUsedPercent?: unknown;
  };
  /** The alarms' topic: an ARN (checked), a deploy-time value (not checked) or `undefined` (refused). */
  readonly topic: unknown;
  /** The health check alarm's topic, when it differs: it must be in us-east-1. */
  readonly healthCheckTopic?: unknown;
  /**
   * Whether the engine can compute a threshold from a deploy-time value: Pulumi can (`apply`),
   * CloudFormation cannot, so a CDK monitor needs the allocated storage as a number.
   * @default true
   */
  readonly deployTimeThresholds?: boolean;
  /**
   * The region of the health check alarm's topic when its ARN is a deploy-time value but its region
   * is known at construction (a CDK topic in a stack with an explicit region).
   * @default - known from the ARN, or checked at deploy time
   */
  readonly healthCheckTopicRegion?: string;
}

export interface ServiceMonitorPlan {
  readonly healthCheck: {
    /** An HTTPS check with SNI, so the endpoint answers with the certificate of `fqdn`. */
    readonly type: "HTTPS";
    readonly enableSni: true;
    /** @default - every checker region */
    readonly regions?: readonly string[];
    /** Where the health check's alarm lives: {@link ROUTE53_METRICS_REGION}. */
    readonly alarmRegion: typeof ROUTE53_METRICS_REGION;
    readonly path: string;
    readonly port: number;
    readonly requestInterval: 10 | 30;
    readonly failureThreshold: number;
    /** Bound to the health check's id by the front end ({@link bindAlarm}). */
    readonly alarm: UnboundAlarmSpec;
  };
  /** Bound to the load balancer's arnSuffix by the front end. */
  readonly loadBalancer5xx?: UnboundAlarmSpec & { readonly thresholdPercent: number };
  readonly database?: {
    /** Bound to the instance identifier by the front end. */
    readonly connections: UnboundAlarmSpec;
    /** The storage alarm's threshold comes from the allocated storage: see {@link freeStorageThresholdBytes}. */
    readonly storage: UnboundAlarmSpec & { readonly usedPercent: number };
  };
}

const GIB = 1024 ** 3;

/** FreeStorageSpace, in bytes, below which more than `usedPercent` of `allocatedGiB` is in use. */
export function freeStorageThresholdBytes(allocatedGiB: number, usedPercent: number): number {
  return Math.round(allocatedGiB * GIB * (1 - usedPercent / 100));
}

/**
 * The health check alarm's topic must be in us-east-1, where the alarm lives: the one check, made at
 * construction for a known ARN and at deploy time for one that is an engine's value.
 */
export function checkHealthCheckTopicRegion(
  topicArn: string | { describe(): string },
  ownTopic: boolean,
  problems: Problems,
  region: string | undefined = typeof topicArn === "string" ? regionOfArn(topicArn) : undefined,
): void {
  if (region === undefined || region === ROUTE53_METRICS_REGION) return;
  problems.add(
    ownTopic ? "healthCheckTopic" : "topic",
    topicArn,
    `is in ${region}, but the health check alarm lives in ${ROUTE53_METRICS_REGION} (where Route 53 publishes its metrics) and an alarm can only notify a topic of its own region. Pass healthCheckTopic: a topic in ${ROUTE53_METRICS_REGION}.`,
  );
}

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

function checkInteger(value: unknown, argument: string, problems: Problems, min: number, max: number, what: string): number | undefined {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    problems.add(argument, value, `must be a whole number from ${min} to ${max}: ${what}.`);
    return undefined;
  }
  return value;
}

function checkPercent(value: unknown, argument: string, problems: Problems, what: string): number | undefined {
  if (typeof value !== "number" || !(value > 0 && value < 100)) {
    problems.add(argument, value, `must be a percentage above 0 and below 100: ${what}.`);
    return undefined;
  }
  return value;
}

/**
 * Validates a service monitor and decides its alarms:
 * - the health check is down when Route 53's `HealthCheckStatus` stays below 1 for `alarmAfter`
 *   (one-minute periods); no data counts as down, because a silent checker proves nothing;
 * - the load balancer's 5xx rate is (ELB 5xx + target 5xx) / requests over the period; missing
 *   counts are filled with 0 (ALB publishes no count when there are no errors), and a period without
 *   requests has no rate and counts as fine, because the health check covers a dead service;
 * - database connections at `connectionsPercent` of the maximum for 5 minutes; no data counts as
 *   fine (a database that stops reporting is the health check's alarm, not a connection limit);
 * - free storage below `100 - storageUsedPercent` percent of the allocated storage; no data keeps the
 *   last state, because storage changes slowly and the last reading is the best estimate.
 */
export function planServiceMonitor(settings: ServiceMonitorSettings, subject: string): ServiceMonitorPlan {
  const problems = new Problems();
  const hc = settings.healthCheck ?? ({} as ServiceMonitorSettings["healthCheck"]);

  const fqdn = knownString(hc.fqdn);
  if (hc.fqdn === undefined) {
    problems.add("healthCheck.fqdn", undefined, 'is required: the host name Route 53 checks, like "app.example.com".');
  } else if (fqdn !== undefined && !/^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/.test(fqdn)) {
    problems.add("healthCheck.fqdn", fqdn, 'is not a host name: write only the name, without scheme, port or path, like "app.example.com".');
  }
  const path = knownString(hc.path ?? "/healthz");
  if (path !== undefined && (!path.startsWith("/") || path.length > 255 || /\s/.test(path))) {
    problems.add("healthCheck.path", path, 'must be a URL path starting with "/", without spaces, at most 255 characters, like "/healthz".');
  }
  const port = checkInteger(hc.port ?? 443, "healthCheck.port", problems, 1, 65_535, "a TCP port");
  const requestInterval = hc.requestInterval ?? 30;
  if (requestInterval !== 10 && requestInterval !== 30) {
    problems.add("healthCheck.requestInterval", requestInterval, "must be 10 or 30 (seconds): the only intervals Route 53 offers.");
  }
  const failureThreshold = checkInteger(hc.failureThreshold ?? 3, "healthCheck.failureThreshold", problems, 1, 10, "the consecutive failed checks Route 53 allows before it calls the endpoint unhealthy");
  let regions: readonly string[] | undefined;
  if (hc.regions !== undefined) {
    const given = hc.regions;
    const allowed: readonly string[] = ROUTE53_CHECKER_REGIONS;
    if (!Array.isArray(given) || given.length < 3 || new Set(given).size !== given.length || given.some((r) => !allowed.includes(r))) {
      problems.add("healthCheck.regions", given, `must list at least three different Route 53 checker regions from ${allowed.join(", ")}. Leave it out to check from every region.`);
    } else {
      regions = given as string[];
    }
  }
  const downMinutes = checkWholeUnits(hc.alarmAfter ?? "2m", "healthCheck.alarmAfter", problems, "minute", { min: 1, max: 60, why: "Route 53 reports health each minute, and an outage longer than an hour must not wait for its alarm" });

  let loadBalancer5xx: ServiceMonitorPlan["loadBalancer5xx"];
  if (settings.loadBalancer !== undefined) {
    const lb = settings.loadBalancer;
    const suffix = knownString(lb.arnSuffix);
    if (lb.arnSuffix === undefined) {
      problems.add("loadBalancer.arnSuffix", undefined, "is required: CloudWatch names a load balancer by its arnSuffix (`app/<name>/<id>`). Pass the load balancer's `arnSuffix` output.");
    } else if (suffix !== undefined && !/^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/.test(suffix)) {
      problems.add("loadBalancer.arnSuffix", suffix, `is not an Application Load Balancer's arnSuffix${suffix.startsWith("arn:") ? " (it is a full ARN)" : ""}: CloudWatch's LoadBalancer dimension is "app/<name>/<id>". Pass the load balancer's \`arnSuffix\` output.`);
    }
    const thresholdPercent = checkPercent(lb.threshold ?? 5, "loadBalancer.threshold", problems, "the share of requests answered 5xx that raises the alarm");
    const periodMinutes = checkWholeUnits(lb.period ?? "5m", "loadBalancer.period", problems, "minute", { min: 1, max: 60, why: "the rate is measured over whole minutes" });
    if (thresholdPercent !== undefined && periodMinutes !== undefined) {
      const periodSeconds = periodMinutes * 60;
      const metric = (id: string, metricName: string) => ({ id, namespace: "AWS/ApplicationELB", metricName, statistic: "Sum" as const, periodSeconds, dimensions: { LoadBalancer: undefined } });
      loadBalancer5xx = {
        id: "5xx-rate-alarm",
        description: `More than ${thresholdPercent}% of requests answered 5xx (load balancer or targets) over ${Duration.minutes(periodMinutes).describe()}.`,
        comparison: "GreaterThanThreshold",
        threshold: thresholdPercent,
        thresholdPercent,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: "notBreaching",
        missingDataReason: "A period without requests has no error rate; a service that receives nothing is the health check's alarm.",
        math: {
          id: "rate",
          expression: "100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests",
          label: "5xx responses (% of requests)",
          periodSeconds,
          metrics: [metric("elb5xx", "HTTPCode_ELB_5XX_Count"), metric("target5xx", "HTTPCode_Target_5XX_Count"), metric("requests", "RequestCount")],
        },
      };
    }
  }

  let database: ServiceMonitorPlan["database"];
  if (settings.database !== undefined) {
    const db = settings.database;
    const identifier = knownString(db.identifier);
    if (identifier !== undefined) checkDatabaseIdentifier(identifier, "database.instance", problems, "rds-instance");
    const maxConnections = checkInteger(db.maxConnections, "database.maxConnections", problems, 1, 1_000_000, "the database's max_connections, which the alarm compares connections with");
    if (db.allocatedStorageGiB === undefined) {
      problems.add("database.allocatedStorageGiB", undefined, "is required when the instance is given by identifier: the storage alarm fires at a share of the allocated storage. Pass the instance's allocated storage in GiB, or the instance itself.");
    } else if (isDeployTimeValue(db.allocatedStorageGiB)) {
      if (settings.deployTimeThresholds === false) {
        problems.add("database.allocatedStorageGiB", { describe: () => "a deploy-time value" }, "cannot size the storage alarm: CloudFormation cannot compute its threshold from a value known only at deploy time. Pass the allocated storage in GiB as a number.");
      }
    } else {
      checkInteger(db.allocatedStorageGiB, "database.allocatedStorageGiB", problems, 5, 65_536, "RDS allocates 5 to 65,536 GiB");
    }
    const connectionsPercent = checkPercent(db.connectionsPercent ?? 80, "database.connectionsPercent", problems, "the share of max connections that raises the alarm");
    const storageUsedPercent = checkPercent(db.storageUsedPercent ?? 80, "database.storageUsedPercent", problems, "the share of allocated storage in use that raises the alarm");
    if (maxConnections !== undefined && connectionsPercent !== undefined && storageUsedPercent !== undefined) {
      database = {
        connections: {
          id: "db-connections-alarm",
          description: `Database connections at ${connectionsPercent}% of the maximum (${maxConnections}) for 5 minutes: new connections will soon be refused.`,
          comparison: "GreaterThanOrEqualToThreshold",
          threshold: (maxConnections * connectionsPercent) / 100,
          evaluationPeriods: 5,
          datapointsToAlarm: 5,
          treatMissingData: "notBreaching",
          missingDataReason: "A database that stops reporting is down, which the health check alarms on; it is not running out of connections.",
          namespace: "AWS/RDS", metricName: "DatabaseConnections", statistic: "Maximum", periodSeconds: 60, dimensions: { DBInstanceIdentifier: undefined },
        },
        storage: {
          id: "db-storage-alarm",
          description: `More than ${storageUsedPercent}% of the database's allocated storage in use: a full volume stops writes.`,
          comparison: "LessThanThreshold",
          usedPercent: storageUsedPercent,
          evaluationPeriods: 1,
          datapointsToAlarm: 1,
          treatMissingData: "missing",
          missingDataReason: "Storage changes slowly: without data the alarm keeps its last state, the best estimate there is.",
          threshold: undefined,
          namespace: "AWS/RDS", metricName: "FreeStorageSpace", statistic: "Minimum", periodSeconds: 300, dimensions: { DBInstanceIdentifier: undefined },
        },
      };
    }
  }

  if (settings.topic === undefined) {
    problems.add("topic", undefined, "is required: alarms nobody receives protect nothing. Pass an AlertTopic or a topic ARN.");
  }
  for (const [argument, value] of [["topic", settings.topic], ["healthCheckTopic", settings.healthCheckTopic]] as const) {
    const arn = knownString(value);
    if (arn !== undefined && !SNS_TOPIC_ARN.test(arn)) {
      problems.add(argument, arn, 'is not an SNS topic ARN; write it like "arn:aws:sns:us-east-1:123456789012:alerts", or pass an AlertTopic.');
    }
  }
  const healthCheckTopic = knownString(settings.healthCheckTopic ?? settings.topic);
  if (healthCheckTopic !== undefined && SNS_TOPIC_ARN.test(healthCheckTopic)) {
    checkHealthCheckTopicRegion(healthCheckTopic, settings.healthCheckTopic !== undefined, problems);
  } else if (healthCheckTopic === undefined && settings.healthCheckTopicRegion !== undefined) {
    const region = settings.healthCheckTopicRegion;
    checkHealthCheckTopicRegion({ describe: () => `a topic in ${region}` }, settings.healthCheckTopic !== undefined, problems, region);
  }

  problems.throwIfAny(subject);
  return {
    healthCheck: {
      type: "HTTPS",
      enableSni: true,
      ...(regions ? { regions } : {}),
      alarmRegion: ROUTE53_METRICS_REGION,
      path: path ?? "/healthz",
      port: port as number,
      requestInterval: requestInterval as 10 | 30,
      failureThreshold: failureThreshold as number,
      alarm: {
        id: "health-check-alarm",
        description: `${fqdn ?? "The service"} failed Route 53 health checks for ${Duration.minutes(downMinutes as number).describe()}.`,
        comparison: "LessThanThreshold",
        threshold: 1,
        evaluationPeriods: downMinutes as number,
        datapointsToAlarm: downMinutes as number,
        treatMissingData: "breaching",
        missingDataReason: "A health check that stops reporting proves nothing about the service: silence counts as down.",
        namespace: "AWS/Route53", metricName: "HealthCheckStatus", statistic: "Minimum", periodSeconds: 60, dimensions: { HealthCheckId: undefined },
      },
    },
    ...(loadBalancer5xx ? { loadBalancer5xx } : {}),
    ...(database ? { database } : {}),
  };
}

/**
 * A service monitor's alarm as the estate's posture lists it: `monitor-<role>`, with its missing-data
 * handling and why, so on-call reads in the runbook what silence means for each alarm.
 */
export function monitorPostureAlarm(spec: Pick<AlarmSpec<unknown, unknown>, "id" | "treatMissingData" | "missingDataReason">, name: string): PostureAlarm {
  return { id: `monitor-${spec.id}`, name, description: `Service monitor: ${spec.id} (missing data: ${spec.treatMissingData}, ${spec.missingDataReason ?? ""})` };
}

/**
 * Records the problems of an estate's `monitor` under `monitor.…`, before anything is created. Its
 * alarms go to the estate's own topic, created in `region` (the primary region): so a health check
 * alarm, which lives in us-east-1, needs `monitor.healthCheckTopic` when the estate is elsewhere.
 * `settings.topic` is ignored.
 */
export function checkEstateMonitor(settings: ServiceMonitorSettings, region: string | undefined, problems: Problems): void {
  const topic = `arn:aws:sns:${region ?? ROUTE53_METRICS_REGION}:123456789012:estate-alerts`;
  try {
    planServiceMonitor({ ...settings, topic }, "monitor");
  } catch (error) {
    if (!(error instanceof LifeboatValidationError)) throw error;
    problems.addAll(
      error.problems.map((p) => ({
        argument: `monitor.${p.argument}`,
        value: p.argument === "topic" ? "the estate's alert topic" : p.value,
        message: p.message.replace("Pass healthCheckTopic", "Pass monitor.healthCheckTopic"),
      })),
    );
  }
}
