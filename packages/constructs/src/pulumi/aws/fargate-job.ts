import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ecs from "@pulumi/aws/ecs";
import * as iam from "@pulumi/aws/iam";
import * as scheduler from "@pulumi/aws/scheduler";
import * as sqs from "@pulumi/aws/sqs";
import {
  checkFargateJobDesign,
  ecrRepositoryArn,
  ecsSchedulerRoleStatements,
  ecsTaskFailurePattern,
  fargateContainerDefinitions,
  fargateExecutionRoleStatements,
  type FargateJobDesign,
  policyDocument,
  type PolicyStatement,
  serviceTrustPolicy,
  Problems,
  taskDefinitionFamilyArn, jobLogGroupName, QUEUE_DATA_KEY_REUSE_SECONDS,
  type JobImageArchitecture,
  jobImagePlatform,
} from "../../core";
import { accountContext, policyJson } from "./account";
import { deploymentScope } from "./deployment-scope";
import type { JobVpc } from "./scheduled-function";

/** Arguments of a {@link FargateJob}. */
export interface FargateJobArgs {
  /** The design: task size, command, schedule, retries (`fargateJobDesign`). */
  readonly design: FargateJobDesign;
  /** The jobs image (lambda-src/Dockerfile); its entry point is replaced by the command line. */
  readonly imageUri: pulumi.Input<string>;
  /**
   * The CPU architecture the image was built for: the task runs on it (as the `JobCode`'s `architecture`).
   * @default "x86_64"
   */
  readonly architecture?: JobImageArchitecture;
  /** The cluster the task runs in. */
  readonly clusterArn: pulumi.Input<string>;
  /** Private subnets and security groups: the task gets no public IP. */
  readonly vpc: JobVpc;
  /** The job configuration, passed as `LIFEBOAT_CONFIG` (it never holds a credential). */
  readonly config: pulumi.Input<string>;
  /** The task role's permissions: the Lambda job's data permissions (`fargateTaskRoleStatements`). */
  readonly taskStatements: pulumi.Input<PolicyStatement[]>;
  /** The key that encrypts the dead-letter queue. */
  readonly keyArn: pulumi.Input<string>;
  /** Where failed tasks are reported: the estate's alert topic ARN. */
  readonly topicArn: pulumi.Input<string>;
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * One job of one source as a scheduled ECS Fargate task, for jobs too long for Lambda's 15 minutes:
 * a task definition from the jobs image with the command line as entry point (the Lambda base image's
 * own entry point starts the runtime emulator), a task role with the Lambda job's data permissions, an
 * execution role that may pull the image and write the log group, a log group with retention, an
 * EventBridge Scheduler schedule with an ECS target (retries and a dead-letter queue as for Lambda;
 * `iam:PassRole` on exactly the two roles), and an EventBridge rule that sends a failed task to the
 * alert topic. The job's metrics come from its log lines, so its alarms are the Lambda job's.
 *
 * @example
 * const job = new FargateJob("postgres-main-backup", {
 *   design: fargateJobDesign({ estate: "prod", job: "backup", source: "postgres-main", sizeGiB: 400, schedule: { expression: "rate(1 day)", intervalMinutes: 1440 } }),
 *   imageUri, clusterArn: cluster.arn, vpc: { subnetIds, securityGroupIds },
 *   config, taskStatements, keyArn: key.arn, topicArn: alerts.arn,
 * });
 */
export class FargateJob extends pulumi.ComponentResource {
  readonly taskDefinition: ecs.TaskDefinition;
  readonly taskRole: iam.Role;
  readonly executionRole: iam.Role;
  readonly logGroup: cloudwatch.LogGroup;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.Schedule;
  readonly schedulerRole: iam.Role;
  readonly failureRule: cloudwatch.EventRule;

  constructor(name: string, args: FargateJobArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = new Problems();
    checkFargateJobDesign(args?.design, problems);
    const platform = jobImagePlatform(args, problems, "architecture");
    problems.throwIfAny(`FargateJob "${name}"`);
    super("lifeboat:aws:FargateJob", name, {}, opts);
    const parent = { parent: this };
    const tags = args.tags ? { tags: args.tags } : {};
    const d = args.design;
    const { account, region, partition } = accountContext(this);

    this.logGroup = new cloudwatch.LogGroup(`${name}-logs`, { name: jobLogGroupName(deploymentScope(), name), retentionInDays: d.logRetentionDays, ...tags }, parent);
    this.deadLetterQueue = new sqs.Queue(`${name}-dlq`, { kmsMasterKeyId: args.keyArn, kmsDataKeyReusePeriodSeconds: QUEUE_DATA_KEY_REUSE_SECONDS, messageRetentionSeconds: d.deadLetterRetentionSeconds, ...tags }, parent);

    const ecsTasksTrust = account.apply((a) => JSON.stringify(serviceTrustPolicy("ecs-tasks.amazonaws.com", a)));
    this.taskRole = new iam.Role(`${name}-task-role`, { description: `Lifeboat ${d.job} of ${d.source} (Fargate task)`, assumeRolePolicy: ecsTasksTrust, ...tags }, parent);
    new iam.RolePolicy(`${name}-task-policy`, { role: this.taskRole.id, policy: pulumi.output(args.taskStatements).apply((s) => JSON.stringify(policyDocument(s as PolicyStatement[]))) }, parent);
    this.executionRole = new iam.Role(`${name}-execution-role`, { description: `Starts the Lifeboat ${d.job} task of ${d.source}: image pull and logs`, assumeRolePolicy: ecsTasksTrust, ...tags }, parent);
    const executionPolicy = new iam.RolePolicy(
      `${name}-execution-policy`,
      {
        role: this.executionRole.id,
        policy: pulumi
          .all([pulumi.output(args.imageUri), this.logGroup.arn, partition])
          .apply(([imageUri, logGroupArn, p]) => JSON.stringify(policyDocument(fargateExecutionRoleStatements({ ...(ecrRepositoryArn(imageUri, p) ? { repositoryArn: ecrRepositoryArn(imageUri, p) } : {}), logGroupArn })))),
      },
      parent,
    );

    this.taskDefinition = new ecs.TaskDefinition(
      `${name}-task`,
      {
        family: d.family,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(d.cpu),
        memory: String(d.memoryMiB),
        ephemeralStorage: { sizeInGib: d.ephemeralStorageGiB },
        runtimePlatform: { ...platform.fargateRuntimePlatform },
        taskRoleArn: this.taskRole.arn,
        executionRoleArn: this.executionRole.arn,
        containerDefinitions: pulumi
          .all([pulumi.output(args.imageUri), pulumi.output(args.config), this.logGroup.name, region])
          .apply(([imageUri, config, logGroupName, r]) => JSON.stringify(fargateContainerDefinitions(d, { imageUri, config, logGroupName, region: r }))),
        ...tags,
      },
      { parent: this, dependsOn: [executionPolicy] },
    );

    this.schedulerRole = new iam.Role(
      `${name}-scheduler-role`,
      { description: `Runs the Lifeboat ${d.job} task of ${d.source} on schedule`, assumeRolePolicy: account.apply((a) => JSON.stringify(serviceTrustPolicy("scheduler.amazonaws.com", a))), ...tags },
      parent,
    );
    const schedulerPolicy = new iam.RolePolicy(
      `${name}-scheduler-policy`,
      {
        role: this.schedulerRole.id,
        policy: policyJson(
          { taskDefinitionArn: this.taskDefinition.arn, clusterArn: args.clusterArn, taskRoleArn: this.taskRole.arn, executionRoleArn: this.executionRole.arn, deadLetterQueueArn: this.deadLetterQueue.arn, jobKeyArn: args.keyArn },
          (v) => ecsSchedulerRoleStatements({ ...v, taskDefinitionFamilyArn: taskDefinitionFamilyArn(v.taskDefinitionArn) }),
        ),
      },
      parent,
    );
    this.schedule = new scheduler.Schedule(
      `${name}-schedule`,
      {
        description: `Lifeboat ${d.job} of ${d.source} on Fargate`,
        scheduleExpression: d.scheduleExpression,
        scheduleExpressionTimezone: "UTC",
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: {
          arn: args.clusterArn,
          roleArn: this.schedulerRole.arn,
          ecsParameters: {
            taskDefinitionArn: this.taskDefinition.arn,
            launchType: d.launchType,
            platformVersion: d.platformVersion,
            taskCount: 1,
            networkConfiguration: { subnets: args.vpc.subnetIds, securityGroups: args.vpc.securityGroupIds, assignPublicIp: d.assignPublicIp },
          },
          retryPolicy: { ...d.retryPolicy },
          deadLetterConfig: { arn: this.deadLetterQueue.arn },
        },
      },
      { parent: this, dependsOn: [schedulerPolicy] },
    );

    this.failureRule = new cloudwatch.EventRule(
      `${name}-failures`,
      { description: `Lifeboat: the ${d.job} task of ${d.source} stopped without success`, eventPattern: pulumi.output(args.clusterArn).apply((c) => JSON.stringify(ecsTaskFailurePattern(c, d.family))), ...tags },
      parent,
    );
    new cloudwatch.EventTarget(`${name}-failures-to-topic`, { rule: this.failureRule.name, arn: args.topicArn }, parent);
    this.registerOutputs({ taskDefinitionArn: this.taskDefinition.arn, schedule: d.scheduleExpression });
  }
}
