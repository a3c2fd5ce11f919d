export * from "./fake-cloud";
export * from "./recorder";
export * from "./examples";
export * from "./run-examples";
export * from "./runbooks";
