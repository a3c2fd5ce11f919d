export * from "./policy-validation-plugin";
