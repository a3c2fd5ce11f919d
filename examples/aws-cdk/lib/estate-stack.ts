import { Stack, type StackProps } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as elasticache from "aws-cdk-lib/aws-elasticache";
import * as rds from "aws-cdk-lib/aws-rds";
import * as s3 from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import { databaseBackupRetention } from "@lifeboat/constructs/core";
import { DisasterRecoveryEstate, elastiCacheBackupProps, rdsInstanceBackupProps, VaultKey } from "@lifeboat/constructs/cdk";

/** Settings of the example estate: each has the same default as examples/aws. */
export interface EstateStackProps extends StackProps {
  readonly drRegion?: string;
  readonly alertEmails?: readonly string[];
  readonly jobsImageTag?: string;
  readonly appDomain?: string;
  readonly dbMaxConnections?: number;
}

/**
 * The examples/aws estate as a CDK stack: an application with PostgreSQL on RDS, Redis on
 * ElastiCache and an uploads bucket, protected by a Lifeboat estate derived from its objectives. The
 * replica vault and the DR-region keys live in a second stack (`<stack>-dr-<region>`) the estate creates.
 */
export class EstateStack extends Stack {
  readonly estate: DisasterRecoveryEstate;

  constructor(scope: Construct, id: string, props: EstateStackProps = {}) {
    super(scope, id, { crossRegionReferences: true, ...props });
    const region = this.region;
    const drRegion = props.drRegion ?? "us-west-2";

    // The objectives the whole estate is derived from.
    const objectives = {
      rpo: "1h",
      rto: "4h",
      retention: { daily: "35d", weekly: "90d", monthly: "1y", archiveAfter: "30d", archiveClass: "GLACIER_IR" as const },
      drRegion,
    };

    // --- The application's network: two private subnets, no internet route. Jobs reach S3 through a
    // gateway endpoint and Secrets Manager through an interface endpoint.
    const vpc = new ec2.Vpc(this, "AppVpc", {
      ipAddresses: ec2.IpAddresses.cidr("10.20.0.0/16"),
      availabilityZones: [`${region}a`, `${region}b`],
      natGateways: 0,
      subnetConfiguration: [{ name: "private", subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      restrictDefaultSecurityGroup: false,
    });
    const jobsSecurityGroup = new ec2.SecurityGroup(this, "BackupJobs", { vpc, description: "Lifeboat backup jobs: out to the database, the cache, AWS endpoints and S3 only", allowAllOutbound: false });
    jobsSecurityGroup.addEgressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcpRange(0, 65535), "Databases and interface endpoints inside the VPC");
    // The subnets have no internet route: HTTPS leaves only through the S3 gateway endpoint.
    jobsSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), "S3 through the gateway endpoint");
    const databaseSecurityGroup = new ec2.SecurityGroup(this, "AppDbSecurityGroup", { vpc, description: "PostgreSQL: from the application and the backup jobs" });
    databaseSecurityGroup.addIngressRule(jobsSecurityGroup, ec2.Port.tcp(5432), "Backup jobs");
    const cacheSecurityGroup = new ec2.SecurityGroup(this, "AppCacheSecurityGroup", { vpc, description: "Redis: from the application" });
    cacheSecurityGroup.addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(6379), "Application subnets");
    // Secrets Manager for the jobs' credentials; ECR and CloudWatch Logs so Fargate tasks can pull the
    // jobs image and write their logs with no internet route.
    const endpointSecurityGroup = new ec2.SecurityGroup(this, "AwsEndpoints", { vpc, description: "AWS service endpoints: HTTPS from the backup jobs" });
    const interfaceEndpoints = { SecretsEndpoint: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, EcrApiEndpoint: ec2.InterfaceVpcEndpointAwsService.ECR, EcrDockerEndpoint: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER, LogsEndpoint: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS };
    for (const [id, service] of Object.entries(interfaceEndpoints)) vpc.addInterfaceEndpoint(id, { service, privateDnsEnabled: true, securityGroups: [endpointSecurityGroup] });

    // --- The data to protect. Storage, the master password secret and snapshots use a customer key.
    const dataKey = new VaultKey(this, "AppData");
    const db = new rds.DatabaseInstance(this, "AppDb", {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_15 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
      allocatedStorage: 50,
      maxAllocatedStorage: 200,
      storageType: rds.StorageType.GP3,
      databaseName: "app",
      credentials: rds.Credentials.fromGeneratedSecret("app_admin", { encryptionKey: dataKey.key }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [databaseSecurityGroup],
      multiAz: true,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      // Retention from the objectives, backup and maintenance windows, copy tags to snapshots,
      // deletion protection, a snapshot on removal, storage encrypted with the customer key.
      ...rdsInstanceBackupProps("app-db", { key: dataKey, retention: databaseBackupRetention(objectives) }),
    });
    const cacheSubnets = new elasticache.CfnSubnetGroup(this, "AppCacheSubnets", { description: "Application cache", subnetIds: vpc.isolatedSubnets.map((s) => s.subnetId) });
    const cache = new elasticache.CfnReplicationGroup(this, "AppCache", {
      replicationGroupDescription: "Application cache, rebuilt from the database if lost",
      engine: "redis",
      engineVersion: "7.1",
      cacheNodeType: "cache.t4g.small",
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      cacheSubnetGroupName: cacheSubnets.ref,
      securityGroupIds: [cacheSecurityGroup.securityGroupId],
      transitEncryptionEnabled: true,
      ...elastiCacheBackupProps("app-cache", { key: dataKey, retention: databaseBackupRetention(objectives), backupWindow: "04:00-05:00", maintenanceWindow: "sun:06:00-sun:07:00" }),
    });
    const uploads = new s3.Bucket(this, "AppUploads", {
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: dataKey.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
    });

    // --- Where the jobs image lives. Build and push it before the first `cdk deploy`.
    const jobsImages = new ecr.Repository(this, "LifeboatJobs", {
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: dataKey.key,
    });

    // --- The estate: vault and replica, alerts, jobs, alarms and the posture, from the objectives.
    this.estate = new DisasterRecoveryEstate(this, "Estate", {
      objectives,
      sources: [
        { name: "postgres-main", kind: "postgres", engine: "rds-instance", instance: db, database: "app", sizeGiB: 50 },
        // A cache can be rebuilt from the database: its RPO is the day ElastiCache snapshots give.
        { name: "cache", kind: "redis", engine: "elasticache", replicationGroup: cache, rpo: "24h", restoreAfter: ["postgres-main"] },
        { name: "uploads", kind: "objects", engine: "s3", bucket: uploads, sizeGiB: 20 },
      ],
      alerts: { emails: [...(props.alertEmails ?? ["backups-oncall@example.com"])] },
      // postgres-main's 50 GiB (about 43 minutes to dump) and uploads' 20 GiB (about 23 to copy) would
      // outlast Lambda's 15 minutes: with `fargate` their backups and postgres-main's restore drill run as
      // Fargate tasks from the same image, in a cluster the estate creates; verification stays on Lambda.
      // The posture says which job runs where, and why.
      jobs: {
        code: { repository: jobsImages, tag: props.jobsImageTag ?? "0.1.0" },
        vpc: { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, securityGroups: [jobsSecurityGroup], routes: { endpoints: ["s3", "secretsmanager", "ecr.api", "ecr.dkr", "logs"] } },
        fargate: {},
      },
      // The application's own health: its /healthz endpoint, and the database's connections and storage.
      monitor: {
        healthCheck: { fqdn: props.appDomain ?? "app.example.com" },
        database: { instance: db, maxConnections: props.dbMaxConnections ?? 400 },
      },
    });
  }
}
