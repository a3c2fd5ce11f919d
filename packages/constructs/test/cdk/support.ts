import { App, Stack, type StackProps } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as rds from "aws-cdk-lib/aws-rds";
import { rdsInstanceBackupProps, VaultKey } from "@lifeboat/constructs/cdk";

export const ENV = { account: "123456789012", region: "us-east-1" } as const;

/** A fresh app and a stack with an explicit environment that may refer to other regions. */
export function newStack(props: StackProps = {}): { app: App; stack: Stack } {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, "Primary", { env: ENV, crossRegionReferences: true, ...props });
  return { app, stack };
}

/** The synthesized template of `stack`. */
export function templateOf(stack: Stack): Template {
  return Template.fromStack(stack);
}

/** The only resource of `type` in the template, or a failure naming how many there are. */
export function only(template: Template, type: string): { Properties: Record<string, any>; [key: string]: any } {
  const found = Object.values(template.findResources(type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as { Properties: Record<string, any> };
}

/** Every resource of `type` in the template. */
export function all(template: Template, type: string): { Properties: Record<string, any>; [key: string]: any }[] {
  return Object.values(template.findResources(type)) as { Properties: Record<string, any> }[];
}

/** A VPC of two isolated subnets and a PostgreSQL instance in it, its secret under a customer key, as the example declares them. */
export function privateDatabase(stack: Stack): { vpc: ec2.Vpc; db: rds.DatabaseInstance } {
  const vpc = new ec2.Vpc(stack, "Vpc", { availabilityZones: ["us-east-1a", "us-east-1b"], natGateways: 0, subnetConfiguration: [{ name: "private", subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const key = new VaultKey(stack, "Data");
  const db = new rds.DatabaseInstance(stack, "Db", {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_15 }),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    credentials: rds.Credentials.fromGeneratedSecret("app_admin", { encryptionKey: key.key }),
    ...rdsInstanceBackupProps("db", { key, retention: "35d" }),
  });
  return { vpc, db };
}
