export * from "./backup/backup";
export * from "./context";
export * from "./support/errors";
export * from "./support/output";
