import { App, type AppProps, Validations } from "aws-cdk-lib";
import type { EstatePosture } from "@lifeboat/constructs/core";
import { LifeboatPolicyPlugin } from "@lifeboat/policies";
import { EstateStack } from "./estate-stack";

/** The example's account and region: explicit, so `cdk synth` needs no credentials. */
export const ENV = { account: "123456789012", region: "us-east-1" } as const;

/** What `cdk synth` would otherwise look up in the account: the region's availability zones. */
export const OFFLINE_CONTEXT = {
  [`availability-zones:account=${ENV.account}:region=${ENV.region}`]: ["us-east-1a", "us-east-1b", "us-east-1c"],
  // Producers of cross-region references keep them until their consumers let go (CDK's default, stated).
  "@aws-cdk/core:defaultCrossStackReferences": "strong",
} as const;

/** The app: the estate's stack (and the DR stack it creates), judged by Lifeboat's policies at synth. */
export function buildApp(props: AppProps = {}): { app: App; stack: EstateStack; postures: () => EstatePosture[]; runbooks: () => string[] } {
  const app = new App({ ...props, context: { ...OFFLINE_CONTEXT, ...props.context } });
  Validations.of(app).addPlugins(new LifeboatPolicyPlugin());
  const stack = new EstateStack(app, "LifeboatEstate", { env: ENV, description: "Lifeboat: backup and disaster-recovery estate (examples/aws-cdk)" });
  return { app, stack, postures: () => [stack.estate.posture()], runbooks: () => [stack.estate.runbook()] };
}
