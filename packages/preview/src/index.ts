export * from "./examples";
export * from "./run-examples";
export * from "./runbooks";
