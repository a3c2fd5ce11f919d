import { ArnFormat, Duration, Stack, TimeZone } from "aws-cdk-lib";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as events from "aws-cdk-lib/aws-events";
import type * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as targets from "aws-cdk-lib/aws-scheduler-targets";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  checkFargateJobDesign,
  ecsSchedulerRoleStatements,
  ecsTaskFailurePattern,
  fargateExecutionRoleStatements,
  type FargateJobDesign,
  type JobConfig,
  type PolicyStatement,
  Problems, jobLogGroupName, QUEUE_DATA_KEY_REUSE_SECONDS,
  jobImagePlatform,
} from "../core";
import { AlertTopic } from "./alert-topic";
import type { JobCode, JobVpc } from "./scheduled-job";
import { serviceRole } from "./service-role";
import { type KeyInput, keyOf, type VaultKey } from "./vault-key";

/** Properties of a {@link FargateJob}. */
export interface FargateJobProps {
  /** The design: task size, command, schedule, retries, log retention (`fargateJobDesign`). */
  readonly design: FargateJobDesign;
  /** The jobs image in ECR (lambda-src/Dockerfile); its entry point is replaced by the command line. */
  readonly code: JobCode;
  /** The cluster the task runs in; it must be in `vpc`. */
  readonly cluster: ecs.ICluster;
  /** Private subnets and security groups: the task gets no public IP. */
  readonly vpc: JobVpc;
  /** The job configuration, passed as `LIFEBOAT_CONFIG` (it never holds a credential). */
  readonly config: JobConfig;
  /** The task role's permissions: the Lambda job's data permissions (`fargateJobTaskStatements`). */
  readonly taskStatements: readonly PolicyStatement[];
  /**
   * The key that encrypts the dead-letter queue.
   * @default - a new VaultKey (child `Key`)
   */
  readonly key?: KeyInput;
  /** Where a task that stopped without success is reported: an {@link AlertTopic} or a topic ARN. */
  readonly topic: AlertTopic | string;
}

/**
 * One job of one source as a scheduled ECS Fargate task, for jobs too long for Lambda's 15 minutes,
 * the twin of the Pulumi `FargateJob` from the same design: a Fargate task definition from the jobs
 * image with the command line as entry point (the Lambda base image's own entry point starts the
 * runtime emulator), a task role with the Lambda job's data permissions, an execution role that may
 * pull the image and write the log group, a log group with retention, an EventBridge Scheduler
 * schedule with an ECS target (retries and an encrypted dead-letter queue as for Lambda;
 * `iam:PassRole` on exactly the two roles), and an EventBridge rule that sends a failed task to the
 * alert topic. The roles carry core's statements only: the L2 constructs' own grants are turned off
 * (`withoutPolicyUpdates`), so nothing wider slips in.
 *
 * @example
 * new FargateJob(stack, "PostgresBackupTask", {
 *   design: fargateJobDesign({ estate: "prod", job: "backup", source: "postgres-main", sizeGiB: 400, schedule: { expression: "rate(1 day)", intervalMinutes: 1440 } }),
 *   code: { repository, tag: "0.1.0" },
 *   cluster,
 *   vpc: { vpc, securityGroups: [jobsSecurityGroup] },
 *   config: { vault: { bucket: vault.bucketName, kmsKeyArn: vault.keyArn }, sources: [source] },
 *   taskStatements,
 *   topic: alerts,
 * });
 */
export class FargateJob extends Construct {
  /** The task definition (child id `Resource`). */
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly taskRole: iam.Role;
  readonly executionRole: iam.Role;
  readonly schedulerRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.Schedule;
  readonly failureRule: events.CfnRule;
  /** The key the job created for its queue, when it created one. */
  readonly key?: VaultKey;
  readonly design: FargateJobDesign;

  constructor(scope: Construct, id: string, props: FargateJobProps) {
    const problems = new Problems();
    checkFargateJobDesign(props?.design, problems);
    if (!props?.code || !("repository" in props.code)) {
      problems.add("code", props?.code, "must be { repository, tag }: a Fargate task runs the jobs image, which the bundled handler is not.");
    }
    const platform = jobImagePlatform(props?.code && "repository" in props.code ? props.code : undefined, problems);
    if (!props?.cluster) problems.add("cluster", props?.cluster, "is required: the ECS cluster the task runs in (an ecs.Cluster in `vpc`).");
    if (!props?.vpc?.vpc) {
      problems.add("vpc", props?.vpc, "is required: Fargate tasks run in private subnets. Pass { vpc, subnets?, securityGroups }.");
    } else if (props.cluster && props.cluster.vpc !== props.vpc.vpc) {
      problems.add("cluster", props.cluster.clusterName, "is not in `vpc`: the schedule places the task in the cluster's VPC. Pass a cluster created in `vpc.vpc`.");
    }
    if (!props?.vpc?.securityGroups?.length) problems.add("vpc.securityGroups", props?.vpc?.securityGroups, "must name at least one security group: without one the task gets the VPC's default group.");
    if (props?.topic === undefined) problems.add("topic", undefined, "is required: a failed task nobody hears of protects nothing. Pass an AlertTopic or a topic ARN.");
    if (!props?.config) problems.add("config", props?.config, "is required: the job configuration the task reads from LIFEBOAT_CONFIG.");
    problems.throwIfAny(`FargateJob "${id}"`);
    super(scope, id);
    const d = props.design;
    this.design = d;
    const stack = Stack.of(this);
    const code = props.code as Extract<JobCode, { repository: unknown }>;
    const key = keyOf(this, "Key", props.key, { description: `Lifeboat task ${id}: failed-run queue` });
    if (key.created) this.key = key.created;
    const topicArn = props.topic instanceof AlertTopic ? props.topic.topicArn : props.topic;

    this.logGroup = new logs.LogGroup(this, "Logs", { logGroupName: jobLogGroupName(stack.stackName, id), retention: d.logRetentionDays as logs.RetentionDays });
    this.deadLetterQueue = new sqs.Queue(this, "DeadLetters", {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key.key,
      dataKeyReuse: Duration.seconds(QUEUE_DATA_KEY_REUSE_SECONDS),
      retentionPeriod: Duration.seconds(d.deadLetterRetentionSeconds),
    });

    this.taskRole = serviceRole(this, "TaskRole", { service: "ecs-tasks.amazonaws.com", account: stack.account, description: `Lifeboat ${d.job} of ${d.source} (Fargate task)`, statements: props.taskStatements });
    this.executionRole = serviceRole(this, "ExecutionRole", {
      service: "ecs-tasks.amazonaws.com",
      account: stack.account,
      description: `Starts the Lifeboat ${d.job} task of ${d.source}: image pull and logs`,
      statements: fargateExecutionRoleStatements({ repositoryArn: code.repository.repositoryArn, logGroupArn: this.logGroup.logGroupArn }),
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, "Resource", {
      family: d.family,
      cpu: d.cpu,
      memoryLimitMiB: d.memoryMiB,
      ephemeralStorageGiB: d.ephemeralStorageGiB,
      runtimePlatform: { operatingSystemFamily: ecs.OperatingSystemFamily.of(platform.fargateRuntimePlatform.operatingSystemFamily), cpuArchitecture: ecs.CpuArchitecture.of(platform.fargateRuntimePlatform.cpuArchitecture) },
      taskRole: this.taskRole.withoutPolicyUpdates(),
      executionRole: this.executionRole.withoutPolicyUpdates(),
    });
    this.taskDefinition.addContainer(d.containerName, {
      containerName: d.containerName,
      image: ecs.ContainerImage.fromEcrRepository(code.repository, code.tag),
      essential: true,
      entryPoint: [...d.entryPoint],
      command: [...d.command],
      environment: { LIFEBOAT_CONFIG: stack.toJsonString(props.config) },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: d.job }),
    });

    const familyArn = stack.formatArn({ service: "ecs", resource: "task-definition", resourceName: d.family, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.schedulerRole = serviceRole(this, "SchedulerRole", {
      service: "scheduler.amazonaws.com",
      account: stack.account,
      description: `Runs the Lifeboat ${d.job} task of ${d.source} on schedule`,
      statements: ecsSchedulerRoleStatements({
        taskDefinitionFamilyArn: familyArn,
        clusterArn: props.cluster.clusterArn,
        taskRoleArn: this.taskRole.roleArn,
        executionRoleArn: this.executionRole.roleArn,
        deadLetterQueueArn: this.deadLetterQueue.queueArn,
        jobKeyArn: key.keyArn,
      }),
    });
    this.schedule = new scheduler.Schedule(this, "Schedule", {
      description: `Lifeboat ${d.job} of ${d.source} on Fargate`,
      schedule: scheduler.ScheduleExpression.expression(d.scheduleExpression, TimeZone.of("UTC")),
      timeWindow: scheduler.TimeWindow.off(),
      enabled: true,
      target: new targets.EcsRunFargateTask(props.cluster, {
        taskDefinition: this.taskDefinition,
        role: this.schedulerRole.withoutPolicyUpdates(),
        // An empty selection takes the VPC's private subnets, with or without egress, as the Lambda jobs do.
        vpcSubnets: props.vpc.subnets ?? {},
        securityGroups: props.vpc.securityGroups,
        assignPublicIp: d.assignPublicIp,
        platformVersion: ecs.FargatePlatformVersion.LATEST,
        taskCount: 1,
        retryAttempts: d.retryPolicy.maximumRetryAttempts,
        maxEventAge: Duration.seconds(d.retryPolicy.maximumEventAgeInSeconds),
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
    // The scheduler role's policy must exist before the schedule first runs the task.
    this.schedule.node.addDependency(this.schedulerRole);

    this.failureRule = new events.CfnRule(this, "Failures", {
      description: `Lifeboat: the ${d.job} task of ${d.source} stopped without success`,
      eventPattern: ecsTaskFailurePattern(props.cluster.clusterArn, d.family),
      state: "ENABLED",
      targets: [{ id: "alert-topic", arn: topicArn }],
    });
  }
}
