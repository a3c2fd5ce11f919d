import { App, Stack, type StackProps } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";

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
