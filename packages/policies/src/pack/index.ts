export * from "./policies";
export * from "./policy-resource";
