import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as ecr from "@pulumi/aws/ecr";
import * as elasticache from "@pulumi/aws/elasticache";
import * as rds from "@pulumi/aws/rds";
import * as s3 from "@pulumi/aws/s3";
import { databaseBackupRetention } from "@lifeboat/constructs/core";
import { DisasterRecoveryEstate, elastiCacheBackupArgs, rdsInstanceBackupArgs, VaultKey } from "@lifeboat/constructs/pulumi/aws";

// A complete backup and disaster-recovery estate on AWS for an application with a PostgreSQL
// database on RDS, a Redis cache on ElastiCache and an uploads bucket. Every value has a default so
// `pulumi up` works on a fresh stack; `pulumi config set lifeboat-aws:<key> <value>` overrides.
const config = new pulumi.Config();
const region = new pulumi.Config("aws").require("region");
const drRegion = config.get("drRegion") ?? config.get("replicaRegion") ?? "us-west-2";
const alertEmails = config.getObject<string[]>("alertEmails") ?? [config.get("alertEmail") ?? "backups-oncall@example.com"];
const jobsImageTag = config.get("jobsImageTag") ?? "0.1.0";

// The objectives the whole estate is derived from.
const objectives = {
  rpo: config.get("rpo") ?? "1h",
  rto: config.get("rto") ?? "4h",
  retention: { daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d", archiveClass: "GLACIER_IR" as const },
  drRegion,
};

// --- The application's network: two private subnets, no internet route. Jobs reach S3 through a
// gateway endpoint and Secrets Manager through an interface endpoint, both of this region only: the
// jobs that connect to the database run here; verification, which reads the replica vault in the DR
// region, and the uploads copy run outside the VPC (the estate places them).
const vpc = new ec2.Vpc("app-vpc", { cidrBlock: "10.20.0.0/16", enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: "app-vpc" } });
const subnets = ["a", "b"].map((zone, i) => new ec2.Subnet(`app-private-${zone}`, { vpcId: vpc.id, cidrBlock: `10.20.${i}.0/24`, availabilityZone: `${region}${zone}` }));
const subnetIds = subnets.map((s) => s.id);
const s3Endpoint = new ec2.VpcEndpoint("s3-endpoint", { vpcId: vpc.id, serviceName: `com.amazonaws.${region}.s3`, vpcEndpointType: "Gateway", routeTableIds: [vpc.mainRouteTableId] });
const jobsSecurityGroup = new ec2.SecurityGroup("backup-jobs", {
  vpcId: vpc.id,
  description: "Lifeboat backup jobs: out to the database, the cache, AWS endpoints and S3 only",
  egress: [
    { protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: [vpc.cidrBlock], description: "Databases and interface endpoints inside the VPC" },
    { protocol: "tcp", fromPort: 443, toPort: 443, prefixListIds: [s3Endpoint.prefixListId], description: "S3 through the gateway endpoint" },
  ],
});
const databaseSecurityGroup = new ec2.SecurityGroup("app-db", {
  vpcId: vpc.id,
  description: "PostgreSQL: from the application and the backup jobs",
  ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: [jobsSecurityGroup.id], description: "Backup jobs" }],
});
const cacheSecurityGroup = new ec2.SecurityGroup("app-cache", {
  vpcId: vpc.id,
  description: "Redis: from the application",
  ingress: [{ protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: [vpc.cidrBlock], description: "Application subnets" }],
});
const endpointSecurityGroup = new ec2.SecurityGroup("aws-endpoints", {
  vpcId: vpc.id,
  description: "AWS service endpoints: HTTPS from the backup jobs",
  ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [jobsSecurityGroup.id], description: "Backup jobs" }],
});
// Secrets Manager for the jobs' credentials; ECR and CloudWatch Logs so Fargate tasks can pull the
// jobs image and write their logs with no internet route.
for (const [id, service] of [["secrets-endpoint", "secretsmanager"], ["ecr-api-endpoint", "ecr.api"], ["ecr-dkr-endpoint", "ecr.dkr"], ["logs-endpoint", "logs"]] as const) {
  new ec2.VpcEndpoint(id, {
    vpcId: vpc.id,
    serviceName: `com.amazonaws.${region}.${service}`,
    vpcEndpointType: "Interface",
    subnetIds,
    securityGroupIds: [endpointSecurityGroup.id],
    privateDnsEnabled: true,
  });
}

// --- The data to protect. Storage, the master password secret and snapshots use a customer key.
const dataKey = new VaultKey("app-data");
const dbBackup = rdsInstanceBackupArgs("app-db", { key: dataKey, retention: databaseBackupRetention(objectives) });
const db = new rds.Instance(
  "app-db",
  {
    engine: "postgres",
    engineVersion: "15",
    instanceClass: config.get("dbInstanceClass") ?? "db.t4g.medium",
    allocatedStorage: 50,
    maxAllocatedStorage: 200,
    storageType: "gp3",
    dbName: "app",
    username: "app_admin",
    manageMasterUserPassword: true,
    masterUserSecretKmsKeyId: dataKey.arn,
    dbSubnetGroupName: new rds.SubnetGroup("app-db", { subnetIds }).name,
    vpcSecurityGroupIds: [databaseSecurityGroup.id],
    multiAz: true,
    publiclyAccessible: false,
    autoMinorVersionUpgrade: true,
    // Retention from the objectives, backup and maintenance windows, copy tags to snapshots,
    // deletion protection, a kept final snapshot, storage encrypted with the customer key.
    ...dbBackup,
  },
  { protect: true },
);
const cache = new elasticache.ReplicationGroup("app-cache", {
  description: "Application cache, rebuilt from the database if lost",
  engine: "redis",
  engineVersion: "7.1",
  nodeType: config.get("cacheNodeType") ?? "cache.t4g.small",
  numCacheClusters: 2,
  automaticFailoverEnabled: true,
  multiAzEnabled: true,
  subnetGroupName: new elasticache.SubnetGroup("app-cache", { subnetIds }).name,
  securityGroupIds: [cacheSecurityGroup.id],
  transitEncryptionEnabled: true,
  ...elastiCacheBackupArgs("app-cache", { key: dataKey, retention: databaseBackupRetention(objectives), backupWindow: "04:00-05:00", maintenanceWindow: "sun:06:00-sun:07:00" }),
});
const uploads = new s3.Bucket("app-uploads", { forceDestroy: false });
new s3.BucketVersioning("app-uploads", { bucket: uploads.id, versioningConfiguration: { status: "Enabled" } });
new s3.BucketServerSideEncryptionConfiguration("app-uploads", {
  bucket: uploads.id,
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: dataKey.arn }, bucketKeyEnabled: true }],
});
new s3.BucketPublicAccessBlock("app-uploads", { bucket: uploads.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
new s3.BucketOwnershipControls("app-uploads", { bucket: uploads.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
new s3.BucketPolicy("app-uploads", {
  bucket: uploads.id,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [uploads.arn, pulumi.interpolate`${uploads.arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  }),
});

// --- Where the jobs image lives. Build and push it before the first `pulumi up`:
//   npm run bundle -w @lifeboat/jobs && docker build -t <repositoryUrl>:<tag> lambda-src && docker push <repositoryUrl>:<tag>
const jobsImages = new ecr.Repository("lifeboat-jobs", {
  imageTagMutability: "IMMUTABLE",
  imageScanningConfiguration: { scanOnPush: true },
  encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: dataKey.arn }],
});

// --- The estate: vault and replica, alerts, jobs, alarms and the posture, from the objectives.
const estate = new DisasterRecoveryEstate("estate", {
  objectives,
  sources: [
    // Its maintenance window as given: the AWS Backup plan starts clear of it and the hour before it.
    { name: "postgres-main", kind: "postgres", engine: "rds-instance", instance: db, database: "app", sizeGiB: 50, maintenanceWindow: dbBackup.maintenanceWindow },
    // A cache can be rebuilt from the database: its RPO is the day ElastiCache snapshots give.
    { name: "cache", kind: "redis", engine: "elasticache", replicationGroup: cache, rpo: "24h", restoreAfter: ["postgres-main"] },
    { name: "uploads", kind: "objects", engine: "s3", bucket: uploads, sizeGiB: 20 },
  ],
  alerts: { emails: alertEmails },
  // postgres-main's 50 GiB (about 43 minutes to dump) and uploads' 20 GiB (about 23 to copy) would
  // outlast Lambda's 15 minutes: with `fargate` their backups and postgres-main's restore drill run as
  // Fargate tasks from the same image, in a cluster the estate creates; verification stays on Lambda.
  // The posture says which job runs where, and why.
  jobs: {
    code: { imageUri: pulumi.interpolate`${jobsImages.repositoryUrl}:${jobsImageTag}` },
    vpc: { subnetIds, securityGroupIds: [jobsSecurityGroup.id], routes: { endpoints: ["s3", "secretsmanager", "ecr.api", "ecr.dkr", "logs"] } },
    fargate: {},
  },
  // The application's own health: its /healthz endpoint, and the database's connections and storage.
  monitor: {
    healthCheck: { fqdn: config.get("appDomain") ?? "app.example.com" },
    database: { instance: db, maxConnections: config.getNumber("dbMaxConnections") ?? 400 },
  },
});

export const vaultBucket = estate.vault.primary.bucketName;
export const replicaBucket = estate.vault.replica.bucketName;
export const alertTopicArn = estate.alerts.arn;
export const jobsImageRepository = jobsImages.repositoryUrl;
export const posture = estate.posture;
export const jobConfigs = estate.jobConfigs;
export const runbook = estate.runbook;
