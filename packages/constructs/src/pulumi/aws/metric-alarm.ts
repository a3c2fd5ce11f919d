import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import { type AlarmSpec, alarmDescription } from "../../core";

/** Where a rendered alarm goes and what else it carries: the front end's part of an alarm. */
export interface AlarmTarget {
  /** The topic notified when the alarm fires and when it clears. */
  readonly topicArn: pulumi.Input<string>;
  /** The alarm's region, when it is not the provider's (Route 53 metrics live in us-east-1). @default - the provider's region */
  readonly region?: string;
  /** @default - none */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Renders one of core's alarm specs as a CloudWatch `MetricAlarm` named `${prefix}-${spec.id}`: the only Pulumi alarm translator. */
export function metricAlarm(prefix: string, spec: AlarmSpec<pulumi.Input<string>, pulumi.Input<number>>, target: AlarmTarget, parent: pulumi.Resource): cloudwatch.MetricAlarm {
  const metric = spec.math
    ? {
        metricQueries: [
          ...spec.math.metrics.map((m) => ({
            id: m.id,
            returnData: false,
            metric: { namespace: m.namespace, metricName: m.metricName, stat: m.statistic, period: m.periodSeconds, dimensions: m.dimensions },
          })),
          { id: spec.math.id, expression: spec.math.expression, label: spec.math.label, returnData: true },
        ],
      }
    : { namespace: spec.namespace, metricName: spec.metricName, dimensions: spec.dimensions, statistic: spec.statistic, period: spec.periodSeconds };
  return new cloudwatch.MetricAlarm(
    `${prefix}-${spec.id}`,
    {
      ...(target.region ? { region: target.region } : {}),
      alarmDescription: alarmDescription(spec),
      ...metric,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      treatMissingData: spec.treatMissingData,
      actionsEnabled: true,
      alarmActions: [target.topicArn],
      okActions: [target.topicArn],
      ...(target.tags ? { tags: target.tags } : {}),
    },
    { parent },
  );
}
