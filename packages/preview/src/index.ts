export * from "./fake-cloud";
export * from "./recorder";
