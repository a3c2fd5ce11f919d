import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type { Construct } from "constructs";
import { type AlarmMetricSpec, type AlarmSpec, alarmDescription } from "../core";

function metricOf(m: AlarmMetricSpec): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: m.namespace, metricName: m.metricName, dimensionsMap: { ...m.dimensions }, statistic: m.statistic, period: Duration.seconds(m.periodSeconds) });
}

/**
 * Renders one of core's alarm specs as an L2 CloudWatch alarm with id `spec.id` under `scope`, notifying
 * `topicArn` when it fires and when it clears: the only CDK alarm translator. Returns the L1 alarm.
 */
export function cloudWatchAlarm(scope: Construct, spec: AlarmSpec, topicArn: string): cloudwatch.CfnAlarm {
  const metric = spec.math
    ? new cloudwatch.MathExpression({
        expression: spec.math.expression,
        label: spec.math.label,
        period: Duration.seconds(spec.math.periodSeconds),
        usingMetrics: Object.fromEntries(spec.math.metrics.map((m) => [m.id, metricOf(m)])),
      })
    : metricOf(spec);
  const alarm = new cloudwatch.Alarm(scope, spec.id, {
    alarmDescription: alarmDescription(spec),
    metric,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    threshold: spec.threshold,
    comparisonOperator: spec.comparison as cloudwatch.ComparisonOperator,
    treatMissingData: spec.treatMissingData as cloudwatch.TreatMissingData,
  });
  const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
  cfn.alarmActions = [topicArn];
  cfn.okActions = [topicArn];
  return cfn;
}
