import { Duration, type DurationInput } from "../duration";
import { Problems } from "../errors";

/** A droplet's backup policy, in the provider's shape. */
export interface DropletBackupPolicy {
  readonly plan: "daily" | "weekly";
  /** The start of the 4-hour backup window, UTC: 0, 4, 8, 12, 16 or 20. */
  readonly hour: number;
  /** For weekly backups: `SUN` ... `SAT`. */
  readonly weekday?: string;
}

/** Droplet backups start in this 4-hour window (UTC), after the runner's daily dumps. */
export const DROPLET_BACKUP_HOUR_UTC = 4;

/**
 * The backup policy of a droplet that holds data, from its RPO: daily backups when the RPO is under a
 * week, weekly (Sunday) otherwise. An RPO under a day cannot be met: droplet backups run at most daily.
 *
 * @see https://docs.digitalocean.com/products/backups/
 */
export function dropletBackupPolicy(rpo: DurationInput, subject: string, argument = "rpo"): DropletBackupPolicy {
  const problems = new Problems();
  const parsed = Duration.check(rpo, argument, problems);
  if (parsed && parsed.minutes < 1440) {
    problems.add(argument, parsed, 'cannot be met by droplet backups, which run at most once a day: raise it to "24h", or keep the data in Spaces or a managed database.');
  }
  problems.throwIfAny(subject);
  return (parsed as Duration).days >= 7 ? { plan: "weekly", hour: DROPLET_BACKUP_HOUR_UTC, weekday: "SUN" } : { plan: "daily", hour: DROPLET_BACKUP_HOUR_UTC };
}
