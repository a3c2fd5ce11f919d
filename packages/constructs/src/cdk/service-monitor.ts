import { Duration, Names, Stack, Stage, Token } from "aws-cdk-lib";
import type * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as rds from "aws-cdk-lib/aws-rds";
import * as route53 from "aws-cdk-lib/aws-route53";
import { Construct } from "constructs";
import {
  type AlarmSpec,
  bindAlarm,
  type DatabaseMonitorSettings,
  freeStorageThresholdBytes,
  type HealthCheckSettings,
  type LoadBalancerMonitorSettings,
  monitorPostureAlarm,
  planServiceMonitor,
  type PostureAlarm,
  ROUTE53_METRICS_REGION,
  type ServiceMonitorPlan,
  type ServiceMonitorSettings,
  type TreatMissingData,
} from "../core";
import { AlertTopic } from "./alert-topic";
import { cloudWatchAlarm } from "./cloudwatch-alarm";

/** The RDS instance whose connections and storage are watched: core's {@link DatabaseMonitorSettings} and the instance. */
export interface DatabaseMonitorProps extends DatabaseMonitorSettings<number> {
  /** The instance (its allocated storage is read from it), or its identifier. */
  readonly instance: rds.IDatabaseInstance | string;
}

/** Properties of a {@link ServiceMonitor}: core's health check, load balancer and database settings, with topics and instances as constructs. */
export interface ServiceMonitorProps {
  /** Where every alarm goes (and its return to OK): an {@link AlertTopic} or a topic ARN. */
  readonly topic: AlertTopic | string;
  /**
   * Where the health check alarm goes. It must be a topic in us-east-1: Route 53 publishes health
   * check metrics only there, so the alarm lives there, and an alarm notifies only topics of its own
   * region. Give it when `topic` is elsewhere.
   * @default - `topic`, which must then be in us-east-1
   */
  readonly healthCheckTopic?: AlertTopic | string;
  /** The HTTPS endpoint Route 53 checks. */
  readonly healthCheck: HealthCheckSettings<string>;
  /**
   * The Application Load Balancer whose 5xx rate is watched: its `arnSuffix` is CDK's
   * `loadBalancerFullName` (`app/<name>/<id>`).
   * @default - no 5xx alarm
   */
  readonly loadBalancer?: LoadBalancerMonitorSettings<string>;
  /** @default - no database alarms */
  readonly database?: DatabaseMonitorProps;
}

/** One alarm as created, with the spec it renders (its missing-data handling and why), for the posture and the runbook. */
export interface MonitorAlarm {
  readonly role: string;
  readonly alarm: cloudwatch.CfnAlarm;
  readonly treatMissingData: TreatMissingData;
  readonly missingDataReason: string;
}

const topicArnOf = (topic: AlertTopic | string | undefined) => (topic instanceof AlertTopic ? topic.topicArn : topic);

/** A number token as core recognises deploy-time values; a plain number as itself. */
const deployTimeNumber = (n: number | undefined) => (n !== undefined && Token.isUnresolved(n) ? Token.asString(n) : n);

/** The allocated storage of a CDK-created instance: a number, or a token when the template leaves it to deploy time. */
function allocatedStorageOf(instance: rds.IDatabaseInstance | string | undefined): number | string | undefined {
  const cfn = typeof instance === "object" ? instance.node.defaultChild : undefined;
  const allocated = cfn instanceof rds.CfnDBInstance ? cfn.allocatedStorage : undefined;
  if (allocated === undefined) return undefined;
  return Token.isUnresolved(allocated) ? allocated : Number(allocated);
}

/**
 * Core's settings for `props`: what {@link planServiceMonitor} validates. A topic construct's region
 * is its stack's, so a topic outside us-east-1 is refused at construction even though its ARN is a token.
 */
export function serviceMonitorSettings(props: ServiceMonitorProps): ServiceMonitorSettings {
  const healthCheckTopic = props?.healthCheckTopic ?? props?.topic;
  const topicRegion = healthCheckTopic instanceof AlertTopic ? Stack.of(healthCheckTopic).region : undefined;
  const database = props?.database;
  return {
    healthCheck: props?.healthCheck ?? ({} as HealthCheckSettings),
    ...(props?.loadBalancer ? { loadBalancer: props.loadBalancer } : {}),
    ...(database
      ? {
          database: {
            identifier: typeof database.instance === "string" ? database.instance : database.instance?.instanceIdentifier,
            maxConnections: database.maxConnections,
            allocatedStorageGiB: deployTimeNumber(database.allocatedStorageGiB) ?? allocatedStorageOf(database.instance),
            connectionsPercent: database.connectionsPercent,
            storageUsedPercent: database.storageUsedPercent,
          },
        }
      : {}),
    topic: topicArnOf(props?.topic),
    deployTimeThresholds: false,
    ...(props?.healthCheckTopic !== undefined ? { healthCheckTopic: topicArnOf(props.healthCheckTopic) } : {}),
    ...(topicRegion !== undefined && !Token.isUnresolved(topicRegion) ? { healthCheckTopicRegion: topicRegion } : {}),
  };
}

/**
 * The scope the health check and its alarm live in: the monitor itself when its stack is in
 * us-east-1, else a sibling stack in us-east-1 (`<stack>-monitor-us-east-1`), created once per stack,
 * because Route 53 publishes health check metrics only there. Route 53 health checks are global, so
 * the check lives beside its alarm and nothing crosses regions.
 */
function healthCheckScope(monitor: Construct): Construct {
  const home = Stack.of(monitor);
  if (home.region === ROUTE53_METRICS_REGION) return monitor;
  const stage = Stage.of(home) ?? (home.node.root as Stage);
  const id = `${home.node.id}-monitor-${ROUTE53_METRICS_REGION}`;
  const support =
    (stage.node.tryFindChild(id) as Stack | undefined) ??
    new Stack(stage, id, {
      env: { ...(Token.isUnresolved(home.account) ? {} : { account: home.account }), region: ROUTE53_METRICS_REGION },
      stackName: `${home.stackName}-monitor-${ROUTE53_METRICS_REGION}`,
      description: `Lifeboat: the Route 53 health checks and their alarms of ${home.stackName} (Route 53 publishes health check metrics in ${ROUTE53_METRICS_REGION} only)`,
    });
  return new Construct(support, Names.uniqueId(monitor));
}

/**
 * The production monitoring of a service: a Route 53 HTTPS health check on `/healthz` with an alarm
 * when it has been down for 2 minutes; optionally the load balancer's 5xx rate (ELB and target 5xx
 * over requests, above 5% over 5 minutes); optionally the database's connections (80% of the
 * maximum) and storage (80% of the allocated storage in use). Every alarm notifies the topic when it
 * fires and when it clears. Each alarm renders one of core's alarm specs (`planServiceMonitor`), the
 * same design the Pulumi `ServiceMonitor` renders.
 *
 * Missing data is handled per alarm, on purpose: a silent health check counts as down; a period
 * without requests has no 5xx rate and counts as fine; a database that stops reporting is not out
 * of connections (the health check reports the outage); the storage alarm keeps its last state.
 *
 * The health check alarm lives in us-east-1, where Route 53 publishes its metrics: in this stack
 * when it is in us-east-1, else, with the health check, in a sibling stack `<stack>-monitor-us-east-1`.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating.html
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 *
 * @example
 * const alerts = new AlertTopic(stack, "Alerts", { emails: ["oncall@example.com"] });
 * const monitor = new ServiceMonitor(stack, "App", {
 *   topic: alerts,
 *   healthCheck: { fqdn: "app.example.com" },
 *   loadBalancer: { arnSuffix: "app/web/50dc6c495c0c9188" }, // or an ApplicationLoadBalancer's loadBalancerFullName
 *   database: { instance: "orders", maxConnections: 400, allocatedStorageGiB: 100 }, // or the rds.DatabaseInstance
 * });
 */
export class ServiceMonitor extends Construct {
  /** The Route 53 health check (child id `Resource`, or in the us-east-1 sibling stack). */
  readonly healthCheck: route53.HealthCheck;
  readonly healthCheckId: string;
  readonly healthCheckAlarm: cloudwatch.CfnAlarm;
  readonly errorRateAlarm?: cloudwatch.CfnAlarm;
  readonly databaseConnectionsAlarm?: cloudwatch.CfnAlarm;
  readonly databaseStorageAlarm?: cloudwatch.CfnAlarm;
  /** Every alarm with its missing-data handling and why. */
  readonly alarms: readonly MonitorAlarm[];
  readonly topicArn: string;
  readonly healthCheckTopicArn: string;
  /** Thresholds, periods and missing-data handling as decided before creation. */
  readonly plan: ServiceMonitorPlan;

  constructor(scope: Construct, id: string, props: ServiceMonitorProps) {
    const plan = planServiceMonitor(serviceMonitorSettings(props), `ServiceMonitor "${id}"`);
    super(scope, id);
    this.plan = plan;
    this.topicArn = topicArnOf(props.topic) as string;
    this.healthCheckTopicArn = topicArnOf(props.healthCheckTopic ?? props.topic) as string;

    const hc = plan.healthCheck;
    const checkScope = healthCheckScope(this);
    this.healthCheck = new route53.HealthCheck(checkScope, checkScope === this ? "Resource" : "HealthCheck", {
      type: route53.HealthCheckType[hc.type],
      fqdn: props.healthCheck.fqdn,
      port: hc.port,
      resourcePath: props.healthCheck.path ?? hc.path,
      requestInterval: Duration.seconds(hc.requestInterval),
      failureThreshold: hc.failureThreshold,
      enableSNI: hc.enableSni,
      ...(hc.regions ? { regions: [...hc.regions] } : {}),
    });
    this.healthCheckId = this.healthCheck.healthCheckId;

    const alarms: MonitorAlarm[] = [];
    const alarm = (alarmScope: Construct, spec: AlarmSpec, topicArn: string) => {
      const created = cloudWatchAlarm(alarmScope, spec, topicArn);
      alarms.push({ role: spec.id, alarm: created, treatMissingData: spec.treatMissingData, missingDataReason: spec.missingDataReason ?? "" });
      return created;
    };
    this.healthCheckAlarm = alarm(checkScope, bindAlarm(hc.alarm, this.healthCheckId), this.healthCheckTopicArn);
    if (plan.loadBalancer5xx && props.loadBalancer) {
      this.errorRateAlarm = alarm(this, bindAlarm(plan.loadBalancer5xx, props.loadBalancer.arnSuffix), this.topicArn);
    }
    const database = props.database;
    if (plan.database && database) {
      const identifier = typeof database.instance === "string" ? database.instance : database.instance.instanceIdentifier;
      const allocated = (database.allocatedStorageGiB ?? allocatedStorageOf(database.instance)) as number;
      this.databaseConnectionsAlarm = alarm(this, bindAlarm(plan.database.connections, identifier), this.topicArn);
      this.databaseStorageAlarm = alarm(this, bindAlarm(plan.database.storage, identifier, freeStorageThresholdBytes(allocated, plan.database.storage.usedPercent)), this.topicArn);
    }
    this.alarms = alarms;
  }

  /**
   * The alarms as the estate's posture lists them (`monitor-<role>`), with names read through `resolve`.
   * @param resolve - how to show a token, such as the alarm's logical reference
   */
  postureAlarms(resolve: (value: string) => string): PostureAlarm[] {
    return this.alarms.map((a) => monitorPostureAlarm({ id: a.role, treatMissingData: a.treatMissingData, missingDataReason: a.missingDataReason }, resolve(a.alarm.ref)));
  }
}
