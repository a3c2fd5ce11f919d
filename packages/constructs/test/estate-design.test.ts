import { describe, expect, it } from "vitest";
import { designEstate, type EstateDesignArgs, estateDesignPosture, estateJobConfigs, estateJobSource, estateDesignArgs, fargateJobTaskStatements, LifeboatValidationError, verificationFunctionSources, verifyTaskSchedule } from "@lifeboat/constructs/core";
import { errorOf } from "./support";

/** The examples/aws estate as plain declarations: RDS, ElastiCache and a bucket, jobs in a VPC with S3 and Secrets Manager endpoints. */
function args(overrides: Partial<EstateDesignArgs> = {}): EstateDesignArgs {
  return {
    estate: "prod",
    subject: 'DisasterRecoveryEstate "prod"',
    objectives: { rpo: "1h", rto: "4h", retention: { daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d" }, drRegion: "us-west-2", primaryRegion: "us-east-1" },
    sources: [
      { name: "postgres-main", kind: "postgres", engine: "rds-instance", sizeGiB: 2, readsSecret: true, maintenanceWindow: "sun:05:00-sun:06:00" },
      { name: "cache", kind: "redis", engine: "elasticache", rpo: "24h", restoreAfter: ["postgres-main"] },
      { name: "uploads", kind: "objects", engine: "s3", sizeGiB: 20 },
    ],
    jobs: { vpc: { routes: { endpoints: ["s3", "secretsmanager"] } }, image: true },
    ...overrides,
  };
}

function problemsOf(build: () => unknown): LifeboatValidationError {
  try {
    build();
  } catch (error) {
    if (error instanceof LifeboatValidationError) return error;
    throw error;
  }
  throw new Error("expected a LifeboatValidationError");
}

describe("designEstate", () => {
  it("gives each source with a logical backup a job, one verification and a drill, with their schedules", () => {
    const design = designEstate(args());

    expect(design.jobs.map((j) => `${j.id} ${j.runtime} ${j.schedule.expression}`)).toEqual([
      "postgres-main-backup lambda rate(1 day)",
      "uploads-backup lambda rate(30 minutes)",
      "verify lambda rate(15 minutes)",
      "postgres-main-drill lambda rate(30 days)",
    ]);
    expect(design.sources.map((s) => [s.name, s.jobs !== undefined])).toEqual([
      ["postgres-main", true],
      ["cache", false],
      ["uploads", true],
    ]);
  });

  it("runs the jobs that connect to a database in the VPC and those that only call AWS outside it", () => {
    const design = designEstate(args());

    expect(Object.fromEntries(design.jobs.map((j) => [j.id, j.inVpc]))).toEqual({ "postgres-main-backup": true, "uploads-backup": false, verify: false, "postgres-main-drill": true });
  });

  it("says what each job must reach: the vault, the credentials, and the replica in the DR region for verification", () => {
    const design = designEstate(args());
    const needs = (id: string) => design.jobs.find((j) => j.id === id)?.needs.map((n) => `${n.service}@${n.region ?? "primary"}`);

    expect(needs("postgres-main-backup")).toEqual(["s3@primary", "secretsmanager@primary"]);
    expect(needs("uploads-backup")).toEqual(["s3@primary", "s3@primary"]);
    expect(needs("verify")).toEqual(["s3@primary", "s3@us-west-2"]);
  });

  it("refuses a verification job in a VPC whose only S3 route is a gateway endpoint of the primary region, naming the fix", () => {
    const error = problemsOf(() => designEstate(args({ jobs: { vpc: { routes: { endpoints: ["s3", "secretsmanager"] }, everyJob: true }, image: true } })));

    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.argument).toBe("jobs.vpc.routes.endpoints");
    expect(error.problems[0]?.message).toContain("leaves the job verify no route to s3 in us-west-2");
    expect(error.problems[0]?.message).toContain("set `jobs.vpc.routes.nat: true`");
  });

  it("accepts every job in the VPC when the subnets route through a NAT gateway", () => {
    const design = designEstate(args({ jobs: { vpc: { routes: { nat: true }, everyJob: true }, image: true } }));

    expect(design.jobs.every((j) => j.inVpc)).toBe(true);
  });

  it("refuses a Fargate task in a VPC with no route to ECR and CloudWatch Logs, since it could not pull its image, and accepts it once the endpoints are declared", () => {
    const fargate = { fargate: {}, image: true } as const;
    const error = problemsOf(() => designEstate(args({ jobs: { vpc: { routes: { endpoints: ["s3", "secretsmanager"] } }, ...fargate } })));

    expect(error.problems.map((p) => p.message.slice(0, p.message.indexOf(" in the VPC")))).toEqual([
      "leaves the job uploads-backup no route to ecr.api",
      "leaves the job uploads-backup no route to ecr.dkr",
      "leaves the job uploads-backup no route to logs",
      "leaves the job uploads-verify no route to ecr.api",
      "leaves the job uploads-verify no route to ecr.dkr",
      "leaves the job uploads-verify no route to logs",
    ]);
    expect(error.problems[0]?.message).toContain("pull the jobs image");

    const design = designEstate(args({ jobs: { vpc: { routes: { endpoints: ["s3", "secretsmanager", "ecr.api", "ecr.dkr", "logs"] } }, ...fargate } }));
    expect(design.jobs.find((j) => j.id === "uploads-backup")?.runtime).toBe("fargate");
    expect(design.jobs.find((j) => j.id === "uploads-backup")?.needs.map((n) => n.service)).toEqual(["s3", "s3", "ecr.api", "ecr.dkr", "s3", "logs"]);
  });

  it("refuses a database job in a VPC with no Secrets Manager endpoint and no NAT", () => {
    const error = problemsOf(() => designEstate(args({ jobs: { vpc: { routes: { endpoints: ["s3"] } }, image: true } })));

    expect(error.problems.map((p) => p.argument)).toEqual(["jobs.vpc.routes.endpoints", "jobs.vpc.routes.endpoints"]);
    expect(error.problems.map((p) => p.message.slice(0, 60))).toEqual(["leaves the job postgres-main-backup no route to secretsmanag", "leaves the job postgres-main-drill no route to secretsmanage"]);
  });

  it("refuses a VPC that does not say how it reaches AWS", () => {
    const error = problemsOf(() => designEstate(args({ jobs: { vpc: {}, image: true } })));

    expect(error.problems.map((p) => p.argument)).toEqual(["jobs.vpc.routes"]);
    expect(error.problems[0]?.message).toContain("`nat: true`");
  });

  it("refuses a private RDS source with no jobs.vpc, naming the source and the fix", () => {
    const error = problemsOf(() => designEstate(args({ jobs: { image: true } })));

    expect(error.problems.map((p) => p.argument)).toEqual(["jobs.vpc"]);
    expect(error.problems[0]?.message).toContain('`sources[0]` ("postgres-main", rds-instance) is reachable only inside its VPC');
    expect(error.problems[0]?.message).toContain("jobs.vpc: { subnetIds, securityGroupIds, routes:");
  });

  it("refuses a private Aurora source with no jobs.vpc too, and accepts an estate of buckets without one", () => {
    const aurora = problemsOf(() => designEstate(args({ sources: [{ name: "orders", kind: "postgres", engine: "aurora-cluster", readsSecret: true }], jobs: { image: true } })));
    const buckets = designEstate(args({ sources: [{ name: "uploads", kind: "objects", engine: "s3" }], jobs: {} }));

    expect(aurora.problems.map((p) => p.argument)).toEqual(["jobs.vpc"]);
    expect(buckets.jobs.map((j) => j.inVpc)).toEqual([false, false]);
  });

  it("refuses Fargate without a VPC or an image", () => {
    const error = problemsOf(() => designEstate(args({ sources: [{ name: "uploads", kind: "objects", engine: "s3" }], jobs: { fargate: {}, image: false } })));

    expect(error.problems.map((p) => p.argument)).toEqual(["jobs.fargate", "jobs.fargate"]);
  });

  it("starts AWS Backup clear of the databases' maintenance windows: a window at 00:30 moves the start from 01:00", () => {
    const standard = designEstate(args());
    const early = designEstate(args({ sources: [{ name: "postgres-main", kind: "postgres", engine: "rds-instance", readsSecret: true, maintenanceWindow: "sun:00:30-sun:01:30" }] }));

    expect(standard.awsBackup?.backupTime).toBe("01:00");
    expect(early.awsBackup?.maintenanceWindows).toEqual(["sun:00:30-sun:01:30"]);
    expect(early.awsBackup?.backupTime).toBe("02:00");
  });

  it("refuses a backupTime whose start window reaches into a source's maintenance window, naming both arguments' fix", () => {
    const error = problemsOf(() => designEstate(args({ awsBackup: { backupTime: "04:30" } })));

    expect(error.problems.map((p) => p.argument)).toEqual(["awsBackup.backupTime"]);
    expect(error.problems[0]?.message).toContain('the maintenance window "sun:05:00-sun:06:00"');
  });

  it("names a malformed maintenance window by the source that declared it", () => {
    const error = problemsOf(() => designEstate(args({ sources: [{ name: "postgres-main", kind: "postgres", engine: "rds-instance", readsSecret: true, maintenanceWindow: "sunday 5am" }] })));

    expect(error.problems.map((p) => p.argument)).toEqual(["sources[0].maintenanceWindow"]);
  });

  it("passes a maintenance window known only at deploy time on, unchecked", () => {
    const deployTime = { apply: () => undefined };
    const design = designEstate(args({ sources: [{ name: "postgres-main", kind: "postgres", engine: "rds-instance", readsSecret: true, maintenanceWindow: deployTime }] }));

    expect(design.awsBackup?.maintenanceWindows).toEqual([deployTime]);
    expect(design.awsBackup?.backupTime).toBe("01:00");
  });

  it("reports every problem in one error", () => {
    const error = problemsOf(() => designEstate(args({ jobs: { fargate: {}, image: false }, awsBackup: { backupTime: "25:00" } })));

    expect(error.problems.map((p) => p.argument)).toEqual(["jobs.fargate", "jobs.fargate", "jobs.vpc", "awsBackup.backupTime"]);
  });

  it("builds each source's job configuration: TLS to RDS, default ports, the drill settings", () => {
    const design = designEstate(args());

    expect(estateJobSource(design, "postgres-main", { host: "db.internal", database: "app", credentials: { secretArn: "arn:secret" } })).toEqual({
      name: "postgres-main",
      kind: "postgres",
      rpoMinutes: 60,
      host: "db.internal",
      port: 5432,
      database: "app",
      sslMode: "require",
      credentials: { secretArn: "arn:secret" },
    });
    expect(estateJobSource(design, "uploads", { bucket: "app-uploads" })).toEqual({ name: "uploads", kind: "objects", rpoMinutes: 60, bucket: "app-uploads", prefix: "" });
  });

  it("writes the command line's configurations for the primary vault and for the replica", () => {
    const design = designEstate(args());
    const configs = estateJobConfigs(design, [], { bucket: "vault", kmsKeyArn: "arn:key", replicaBucket: "replica", replicaKeyArn: "arn:replica-key" });

    expect(configs["lifeboat.json"].vault).toEqual({ bucket: "vault", kmsKeyArn: "arn:key", region: "us-east-1", replica: { bucket: "replica", region: "us-west-2" } });
    expect(configs["lifeboat-dr.json"].vault).toEqual({ bucket: "replica", kmsKeyArn: "arn:replica-key", region: "us-west-2" });
  });

  it("derives the posture from the design and the deployed identifiers: where each job runs, the drill and the verification job", () => {
    const design = designEstate(args());
    const posture = estateDesignPosture(design, {
      primaryRegion: "us-east-1",
      vaultBucket: "vault",
      replicaBucket: "replica",
      topicArn: "arn:topic",
      emails: [],
      httpsEndpoints: [],
      alarms: [],
      sources: [{ name: "postgres-main", identifier: "app-db", database: "app" }],
      jobNames: { verify: "prod-verify-fn", "postgres-main-drill": "prod-drill-fn" },
    });

    expect(posture.verification?.job).toBe("prod-verify-fn");
    expect(posture.sources.find((s) => s.name === "postgres-main")?.drill).toEqual({ every: "every 30 days", job: "prod-drill-fn" });
    expect(posture.sources.find((s) => s.name === "uploads")?.jobs?.map((j) => `${j.job} ${j.runtime}`)).toEqual(["backup lambda", "verify lambda"]);
  });
});

describe("designEstate's verification on Fargate", () => {
  const fargateVpc = { vpc: { routes: { endpoints: ["s3", "secretsmanager", "ecr.api", "ecr.dkr", "logs"] as const } }, fargate: {}, image: true } as const;
  /** One self-managed PostgreSQL source of `sizeGiB`, backed up hourly (a 2-hour RPO): verification reads it at the assumed 20 MiB/s. */
  const oneSource = (sizeGiB: number, jobs: EstateDesignArgs["jobs"] = fargateVpc): EstateDesignArgs =>
    args({ sources: [{ name: "orders", kind: "postgres", engine: "self-managed", sizeGiB, rpo: "2h" }], jobs: { ...jobs, vpc: { routes: { endpoints: [...(jobs.vpc?.routes?.endpoints ?? [])] } } } });
  const verifyFunction = (design: ReturnType<typeof designEstate>) => design.jobs.find((j) => j.id === "verify");

  it("keeps verification in the function at exactly Lambda's 10-minute budget and moves it to a Fargate task just over it", () => {
    // 11.71875 GiB at 20 MiB/s is 600 seconds.
    const within = designEstate(oneSource(11.71875));
    const over = designEstate(oneSource(11.8));

    expect(within.jobDesigns[0]?.verify).toMatchObject({ runtime: "lambda", expectedMinutes: 10 });
    expect(within.jobs.map((j) => `${j.id} ${j.runtime}`)).toEqual(["orders-backup lambda", "verify lambda", "orders-drill fargate"]);
    expect(verifyFunction(within)?.verifies).toEqual([{ source: "orders", checks: "all" }]);
    expect(over.jobDesigns[0]?.verify).toMatchObject({ runtime: "fargate", expectedMinutes: 10.07 });
    expect(over.jobs.map((j) => `${j.id} ${j.runtime}`)).toEqual(["orders-backup fargate", "verify lambda", "orders-verify fargate", "orders-drill fargate"]);
    expect(verifyFunction(over)?.verifies).toEqual([{ source: "orders", checks: "replica-only" }]);
  });

  it("designs the verification task to read the primary vault only, so a VPC without NAT is enough, never starting before the previous run can have finished", () => {
    const design = designEstate(oneSource(50));
    const task = design.jobs.find((j) => j.id === "orders-verify");

    // Backups every hour, but reading 50 GiB is expected to take about 43 minutes: 1.5 times that is 65, so every 2 hours.
    expect(design.jobDesigns[0]?.verify.expectedMinutes).toBeGreaterThan(40);
    expect(task).toMatchObject({ job: "verify", source: "orders", runtime: "fargate", inVpc: true, schedule: { expression: "rate(2 hours)", intervalMinutes: 120 } });
    expect(task?.needs.map((n) => `${n.service}@${n.region ?? "primary"}`)).toEqual(["s3@primary", "ecr.api@primary", "ecr.dkr@primary", "s3@primary", "logs@primary"]);
    expect(task?.fargate).toMatchObject({ family: "lifeboat-prod-orders-verify", command: ["verify", "--source", "orders"], scheduleExpression: "rate(2 hours)", cpu: 1024, memoryMiB: 2048 });
    expect(verifyFunction(design)).toMatchObject({ runtime: "lambda", inVpc: false, schedule: { expression: "rate(30 minutes)" } });
    expect(design.jobDesigns[0]?.verify.reason).toMatch(/; the Fargate task orders-verify verifies the primary copy, and the estate's verification function, outside the VPC, checks its replica in the DR region .* so the freshness alarm keeps its period$/);
    expect(design.alarms.lambdaJobs.map((j) => j.id)).toEqual(["verify"]);
  });

  it("refuses an RPO that a backup longer than Lambda's window cannot meet without point-in-time recovery, and names the RPO that it can", () => {
    const error = errorOf(() => designEstate(args({ sources: [{ name: "orders", kind: "postgres", engine: "self-managed", sizeGiB: 50 }], jobs: fargateVpc }))) as LifeboatValidationError;

    // Every 30 minutes (1 hour less the 15-minute window), and 50 GiB at the assumed 20 MiB/s takes 43 minutes.
    expect(error.problems).toEqual([expect.objectContaining({ argument: "sources[0].rpo", value: "1 hour" })]);
    expect(error.message).toContain('leaves up to 1 hour 13 minutes of data at risk. Raise the rpo to at least "73m"');
    expect(() => designEstate(oneSource(50))).not.toThrow(); // hourly: 60 + 43 minutes is within 2 hours
    expect(() => designEstate(oneSource(11.71875))).not.toThrow(); // within Lambda's window, as the plan assumed
    // With point-in-time recovery the daily dump does not carry the RPO.
    expect(() => designEstate(args({ sources: [{ name: "orders", kind: "postgres", engine: "rds-instance", sizeGiB: 100, readsSecret: true }], jobs: fargateVpc }))).not.toThrow();
  });

  it("schedules a verification task no more often than backups are written, the function runs, or the previous run can finish", () => {
    const every = (minutes: number) => ({ expression: `every ${minutes}`, intervalMinutes: minutes });

    expect(verifyTaskSchedule(every(1440), every(15), 43)).toEqual(every(1440)); // the daily backup is the longest
    expect(verifyTaskSchedule(every(15), every(60), 11)).toEqual(every(60)); // the function's hour is the longest
    expect(verifyTaskSchedule(every(30), every(15), 20)).toEqual(every(30)); // 1.5 x 20 = 30 fits the backup's interval exactly
    expect(verifyTaskSchedule(every(30), every(15), 20.1)).toEqual({ expression: "rate(1 hour)", intervalMinutes: 60 });
    expect(verifyTaskSchedule(every(60), every(15), 1000)).toEqual({ expression: "rate(2 days)", intervalMinutes: 2880 }); // beyond a day: whole days
  });

  it("marks the function's sources verified on Fargate as replica-only and leaves the others whole", () => {
    const design = designEstate(args({ sources: [{ name: "big", kind: "postgres", engine: "self-managed", sizeGiB: 50, rpo: "2h" }, { name: "small", kind: "postgres", engine: "self-managed", sizeGiB: 1 }], jobs: fargateVpc }));

    const sources = verificationFunctionSources(design, { big: { name: "big", host: "big.internal" }, small: { name: "small", host: "small.internal" } });

    expect(sources).toEqual([{ name: "big", host: "big.internal", verify: { checks: "replica-only" } }, { name: "small", host: "small.internal" }]);
  });

  it("keeps a long verification in the function and says to declare jobs.fargate when the estate runs no Fargate tasks", () => {
    const design = designEstate(args({ sources: [{ name: "orders", kind: "postgres", engine: "self-managed", sizeGiB: 50, rpo: "2h" }], jobs: { vpc: { routes: { endpoints: ["s3"] } }, image: true } }));

    expect(design.jobs.map((j) => j.id)).toEqual(["orders-backup", "verify"]);
    expect(verifyFunction(design)?.verifies).toEqual([{ source: "orders", checks: "all" }]);
    expect(design.jobDesigns[0]?.verify.reason).toMatch(/runs on Lambda all the same, in the estate's verification function, because the estate runs no Fargate tasks \(declare `jobs.fargate`\)$/);
    expect(design.jobDesigns[0]?.notes).toContainEqual(expect.stringMatching(/^Verifying orders reads its newest backup whole: .* Declare `jobs.fargate` so a Fargate task verifies it/));
  });

  it("gives a verification task read access to its source's backups and drill records, and no credentials or writes", () => {
    const statements = fargateJobTaskStatements({
      job: "verify",
      source: "orders",
      vault: { bucketArn: "arn:aws:s3:::vault", keyArn: "arn:aws:kms:us-east-1:123456789012:key/vault" },
      secretArns: ["arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-AbCdEf"],
      secretKeyArns: [],
    });

    expect(statements.map((s) => [s.Sid, s.Action, s.Resource, s.Condition])).toEqual([
      ["ReadBackups", ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectAttributes"], ["arn:aws:s3:::vault/orders/*"], undefined],
      ["ListBackups", ["s3:ListBucket"], ["arn:aws:s3:::vault"], { StringLike: { "s3:prefix": ["orders/*"] } }],
      ["UseVaultKeyThroughS3", ["kms:Decrypt"], ["arn:aws:kms:us-east-1:123456789012:key/vault"], { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } }],
      ["ReadDrillRecords", ["s3:GetObject"], ["arn:aws:s3:::vault/drills/orders/*"], undefined],
      ["ListDrillRecords", ["s3:ListBucket"], ["arn:aws:s3:::vault"], { StringLike: { "s3:prefix": ["drills/orders/*"] } }],
    ]);
  });
});

describe("estateDesignArgs", () => {
  it("reduces a front end's estate to designEstate's arguments: the network's routes only, the image argument, the subject and the front end's problems", () => {
    const declared = { ...args(), jobs: { vpc: { subnetIds: ["subnet-a"], routes: { nat: true }, everyJob: true }, fargate: {}, code: { imageUri: "x" } }, awsBackup: false, drills: false };

    const built = estateDesignArgs({ estate: "prod", scope: "shop-dev-prod", primaryRegion: "eu-west-1", declared, image: { given: true, argument: "jobs.code.imageUri" }, problems: [{ argument: "sources[0].credentials", value: undefined, message: "is required." }] as never });

    expect(built).toMatchObject({ estate: "prod", scope: "shop-dev-prod", subject: 'DisasterRecoveryEstate "prod"', awsBackup: false, drills: false });
    expect(built.objectives.primaryRegion).toBe("eu-west-1");
    expect(built.jobs).toEqual({ vpc: { routes: { nat: true }, everyJob: true }, fargate: {}, image: true, imageArgument: "jobs.code.imageUri" });
    expect(problemsOf(() => designEstate(built)).problems.map((p) => p.argument)).toContain("sources[0].credentials");
  });
});
