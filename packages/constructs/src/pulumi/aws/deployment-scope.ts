import * as pulumi from "@pulumi/pulumi";

/** What tells this program's stacks apart, for core's unique physical names: `<project>/<stack>`. */
export function deploymentScope(): string {
  return `${pulumi.getProject()}/${pulumi.getStack()}`;
}
