export * from "./backup-vault";
export * from "./dr-stack";
export * from "./policy";
export * from "./replicated-backup-vault";
export * from "./service-role";
export * from "./vault-key";
