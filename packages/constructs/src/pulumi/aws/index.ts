export * from "./account";
export * from "./alert-topic";
export * from "./backup-vault";
export * from "./replicated-backup-vault";
export * from "./vault-key";
