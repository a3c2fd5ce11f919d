import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as rds from "@pulumi/aws/rds";
import * as route53 from "@pulumi/aws/route53";
import {
  type AlarmSpec,
  bindAlarm,
  checkHealthCheckTopicRegion,
  type DatabaseMonitorSettings,
  freeStorageThresholdBytes,
  type HealthCheckSettings,
  type LoadBalancerMonitorSettings,
  planServiceMonitor,
  Problems,
  type ServiceMonitorPlan,
  type ServiceMonitorSettings,
  type TreatMissingData,
} from "../../core";
import { AlertTopic } from "./alert-topic";
import { type AlarmTarget, metricAlarm } from "./metric-alarm";

/** The HTTPS endpoint Route 53 checks: core's {@link HealthCheckSettings}. */
export interface ServiceHealthCheckArgs extends HealthCheckSettings<pulumi.Input<string>> {}

/** The Application Load Balancer whose 5xx rate is watched: core's {@link LoadBalancerMonitorSettings}. */
export interface LoadBalancerMonitorArgs extends LoadBalancerMonitorSettings<pulumi.Input<string>> {}

/** The RDS instance whose connections and storage are watched: core's {@link DatabaseMonitorSettings} and the instance. */
export interface DatabaseMonitorArgs extends DatabaseMonitorSettings<pulumi.Input<number>> {
  /** The instance, or its identifier. */
  readonly instance: rds.Instance | pulumi.Input<string>;
}

/** Arguments of a {@link ServiceMonitor}. */
export interface ServiceMonitorArgs {
  /** Where every alarm goes (and its return to OK): an {@link AlertTopic} or a topic ARN. */
  readonly topic: AlertTopic | pulumi.Input<string>;
  /**
   * Where the health check alarm goes. It must be a topic in us-east-1: Route 53 publishes health
   * check metrics only there, so the alarm lives there, and an alarm notifies only topics of its
   * own region. Pass an AlertTopic created with a us-east-1 provider when `topic` is elsewhere.
   * @default - `topic`, which must then be in us-east-1 (checked at deploy time)
   */
  readonly healthCheckTopic?: AlertTopic | pulumi.Input<string>;
  readonly healthCheck: ServiceHealthCheckArgs;
  /** @default - no 5xx alarm */
  readonly loadBalancer?: LoadBalancerMonitorArgs;
  /** @default - no database alarms */
  readonly database?: DatabaseMonitorArgs;
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** One alarm and the reason it treats missing data as it does, for the runbook. */
export interface MonitorAlarm {
  readonly role: string;
  readonly alarm: cloudwatch.MetricAlarm;
  readonly treatMissingData: TreatMissingData;
  readonly missingDataReason: string;
}

/** The topic's ARN, as core reads it: an {@link AlertTopic}'s output or what was given. */
function topicArnOf(topic: AlertTopic | pulumi.Input<string> | undefined): unknown {
  return topic instanceof AlertTopic ? topic.arn : topic;
}

/** A {@link ServiceMonitor}'s arguments as core's settings, for planning and for checking before anything is created. */
export function serviceMonitorSettings(args: ServiceMonitorArgs): ServiceMonitorSettings {
  const database = args?.database;
  const instance = database?.instance instanceof rds.Instance ? database.instance : undefined;
  return {
    healthCheck: args?.healthCheck ?? ({} as ServiceMonitorArgs["healthCheck"]),
    ...(args?.loadBalancer ? { loadBalancer: args.loadBalancer } : {}),
    ...(database
      ? {
          database: {
            identifier: instance ? undefined : database.instance,
            maxConnections: database.maxConnections,
            allocatedStorageGiB: database.allocatedStorageGiB ?? instance?.allocatedStorage,
            connectionsPercent: database.connectionsPercent,
            storageUsedPercent: database.storageUsedPercent,
          },
        }
      : {}),
    topic: topicArnOf(args?.topic),
    ...(args?.healthCheckTopic !== undefined ? { healthCheckTopic: topicArnOf(args.healthCheckTopic) } : {}),
  };
}

/**
 * The production monitoring of a service: a Route 53 HTTPS health check on `/healthz` with an alarm
 * when it has been down for 2 minutes; optionally the load balancer's 5xx rate (ELB and target 5xx
 * over requests, above 5% over 5 minutes); optionally the database's connections (80% of the
 * maximum) and storage (80% of the allocated storage in use). Every alarm notifies the topic when it
 * fires and when it clears.
 *
 * Missing data is handled per alarm, on purpose: a silent health check counts as down; a period
 * without requests has no 5xx rate and counts as fine; a database that stops reporting is not out
 * of connections (the health check reports the outage); the storage alarm keeps its last state.
 *
 * The health check alarm is created in us-east-1 (the resource's `region` argument, with the same
 * provider and credentials as the rest), because Route 53 publishes its metrics only there.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating.html
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 *
 * @example
 * const alerts = new AlertTopic("alerts", { emails: ["oncall@example.com"] });
 * const monitor = new ServiceMonitor("app", {
 *   topic: alerts,
 *   healthCheck: { fqdn: "app.example.com" },
 *   loadBalancer: { arnSuffix: "app/web/50dc6c495c0c9188" }, // or an aws.lb.LoadBalancer's arnSuffix
 *   database: { instance: "orders", maxConnections: 400, allocatedStorageGiB: 100 }, // or the rds.Instance
 * });
 */
export class ServiceMonitor extends pulumi.ComponentResource {
  readonly healthCheck: route53.HealthCheck;
  readonly healthCheckId: pulumi.Output<string>;
  readonly healthCheckAlarm: cloudwatch.MetricAlarm;
  readonly errorRateAlarm?: cloudwatch.MetricAlarm;
  readonly databaseConnectionsAlarm?: cloudwatch.MetricAlarm;
  readonly databaseStorageAlarm?: cloudwatch.MetricAlarm;
  /** Every alarm with its missing-data handling and why. */
  readonly alarms: readonly MonitorAlarm[];
  readonly topicArn: pulumi.Output<string>;
  readonly healthCheckTopicArn: pulumi.Output<string>;
  /** Thresholds, periods and missing-data handling as decided before creation. */
  readonly plan: ServiceMonitorPlan;

  constructor(name: string, args: ServiceMonitorArgs, opts?: pulumi.ComponentResourceOptions) {
    const database = args?.database;
    const instance = database?.instance instanceof rds.Instance ? database.instance : undefined;
    const plan = planServiceMonitor(serviceMonitorSettings(args), `ServiceMonitor "${name}"`);
    super("lifeboat:aws:ServiceMonitor", name, {}, opts);
    this.plan = plan;
    const tags = args.tags ? { tags: args.tags } : {};

    this.topicArn = args.topic instanceof AlertTopic ? args.topic.arn : pulumi.output(args.topic);
    const healthCheckTopic = args.healthCheckTopic ?? args.topic;
    const healthCheckTopicArn = healthCheckTopic instanceof AlertTopic ? healthCheckTopic.arn : pulumi.output(healthCheckTopic);
    this.healthCheckTopicArn = healthCheckTopicArn.apply((arn) => {
      const problems = new Problems();
      checkHealthCheckTopicRegion(arn, args.healthCheckTopic !== undefined, problems);
      problems.throwIfAny(`ServiceMonitor "${name}"`);
      return arn;
    });

    const hc = args.healthCheck;
    this.healthCheck = new route53.HealthCheck(
      `${name}-health-check`,
      {
        type: plan.healthCheck.type,
        fqdn: hc.fqdn,
        port: plan.healthCheck.port,
        resourcePath: hc.path ?? plan.healthCheck.path,
        requestInterval: plan.healthCheck.requestInterval,
        failureThreshold: plan.healthCheck.failureThreshold,
        enableSni: plan.healthCheck.enableSni,
        ...(plan.healthCheck.regions ? { regions: [...plan.healthCheck.regions] } : {}),
        ...tags,
      },
      { parent: this },
    );
    this.healthCheckId = this.healthCheck.id;

    const alarms: MonitorAlarm[] = [];
    const alarm = (spec: AlarmSpec<pulumi.Input<string>, pulumi.Input<number>>, target: AlarmTarget) => {
      const created = metricAlarm(name, spec, { ...target, ...tags }, this);
      alarms.push({ role: spec.id, alarm: created, treatMissingData: spec.treatMissingData, missingDataReason: spec.missingDataReason ?? "" });
      return created;
    };

    this.healthCheckAlarm = alarm(bindAlarm(plan.healthCheck.alarm, this.healthCheck.id), { region: plan.healthCheck.alarmRegion, topicArn: this.healthCheckTopicArn });
    if (plan.loadBalancer5xx && args.loadBalancer) {
      this.errorRateAlarm = alarm(bindAlarm(plan.loadBalancer5xx, args.loadBalancer.arnSuffix), { topicArn: this.topicArn });
    }
    if (plan.database && database) {
      const identifier = instance ? instance.identifier : (database.instance as pulumi.Input<string>);
      const allocated = pulumi.output((database.allocatedStorageGiB ?? instance?.allocatedStorage) as pulumi.Input<number>);
      const usedPercent = plan.database.storage.usedPercent;
      this.databaseConnectionsAlarm = alarm(bindAlarm(plan.database.connections, identifier), { topicArn: this.topicArn });
      this.databaseStorageAlarm = alarm(bindAlarm(plan.database.storage, identifier, allocated.apply((gib) => freeStorageThresholdBytes(gib, usedPercent))), { topicArn: this.topicArn });
    }
    this.alarms = alarms;

    this.registerOutputs({
      healthCheckId: this.healthCheckId,
      alarms: alarms.map((a) => ({ role: a.role, arn: a.alarm.arn, treatMissingData: a.treatMissingData })),
    });
  }
}
