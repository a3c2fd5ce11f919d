import { App, type AppProps, Validations } from "aws-cdk-lib";
import { LifeboatPolicyPlugin } from "@lifeboat/policies";
import { EstateStack } from "./estate-stack";

/** The example's account and region: explicit, so `cdk synth` needs no credentials. */
export const ENV = { account: "123456789012", region: "us-east-1" } as const;

/** The app: the estate's stack (and the DR stack it creates), judged by Lifeboat's policies at synth. */
export function buildApp(props: AppProps = {}): { app: App; stack: EstateStack } {
  const app = new App(props);
  Validations.of(app).addPlugins(new LifeboatPolicyPlugin());
  const stack = new EstateStack(app, "LifeboatEstate", { env: ENV, description: "Lifeboat: backup and disaster-recovery estate (examples/aws-cdk)" });
  return { app, stack };
}
