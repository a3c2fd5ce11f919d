export * from "./alerts";
export * from "./backup-runner";
export * from "./dead-mans-switch";
export * from "./droplet-backup-args";
export * from "./managed-database-protection";
export * from "./recovery-estate";
export * from "./service-monitor";
export * from "./spaces-vault";
