import { type DurationInput } from "../../core";
import { dropletBackupPolicy } from "../../core/digitalocean";

/**
 * The droplet arguments that back it up as the RPO requires: backups on, with a daily (RPO under a
 * week) or weekly policy in the 04:00 UTC window. Spread them into the `Droplet`'s arguments.
 *
 * @example
 * new Droplet("files", { image: "debian-12-x64", size: "s-1vcpu-1gb", region: "nyc3", ...dropletBackupArgs("24h") });
 */
export function dropletBackupArgs(rpo: DurationInput): { backups: true; backupPolicy: { plan: string; hour: number; weekday?: string } } {
  const policy = dropletBackupPolicy(rpo, "dropletBackupArgs(rpo)");
  return { backups: true, backupPolicy: { ...policy } };
}
