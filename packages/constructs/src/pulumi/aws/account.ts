import * as pulumi from "@pulumi/pulumi";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import { policyDocument, type PolicyStatement } from "../../core";

/** The account, partition and region a component's resources land in, read through its provider. */
export interface AccountContext {
  readonly account: pulumi.Output<string>;
  readonly partition: pulumi.Output<string>;
  readonly region: pulumi.Output<string>;
}

/** Reads the account, partition and region of `parent`'s AWS provider. */
export function accountContext(parent: pulumi.Resource): AccountContext {
  const opts = { parent };
  return {
    account: getCallerIdentityOutput({}, opts).accountId,
    partition: getPartitionOutput({}, opts).partition,
    region: getRegionOutput({}, opts).region,
  };
}

type Resolved<T> = { [K in keyof T]: string };

/**
 * A policy document as JSON, built once every input it names is known.
 *
 * @example
 * policyJson({ bucketArn: bucket.arn }, ({ bucketArn }) => [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucketArn}/*`] }]);
 */
export function policyJson<T extends Record<string, pulumi.Input<string>>>(inputs: T, build: (values: Resolved<T>) => PolicyStatement[]): pulumi.Output<string> {
  return pulumi.all(inputs).apply((values) => JSON.stringify(policyDocument(build(values as Resolved<T>))));
}
