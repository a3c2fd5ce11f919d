import { Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { DisasterRecoveryEstate } from "@lifeboat/constructs/cdk";
/** Settings of the example estate: each has the same default as examples/aws. */
export interface EstateStackProps extends StackProps {
    readonly drRegion?: string;
    readonly alertEmails?: readonly string[];
    readonly jobsImageTag?: string;
    readonly appDomain?: string;
}
/**
 * The examples/aws estate as a CDK stack: an application with PostgreSQL on RDS, Redis on
 * ElastiCache and an uploads bucket, protected by a Lifeboat estate derived from its objectives. The
 * replica vault and the DR-region keys live in a second stack (`<stack>-dr-<region>`) the estate creates.
 */
export declare class EstateStack extends Stack {
    readonly estate: DisasterRecoveryEstate;
    constructor(scope: Construct, id: string, props?: EstateStackProps);
}
//# sourceMappingURL=estate-stack.d.ts.map