export * from "./account";
export * from "./alert-topic";
export * from "./backup-job";
export * from "./backup-vault";
export * from "./replicated-backup-vault";
export * from "./scheduled-function";
export * from "./vault-key";
export * from "./verify-job";
