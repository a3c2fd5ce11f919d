import { Problems } from "../errors";

/**
 * The hour (UTC) the runner starts daily backups. Every other daily window (database maintenance,
 * droplet backups) is placed away from it, so a maintenance restart never cuts a dump short.
 */
export const DAILY_BACKUP_HOUR_UTC = 1;

/** DigitalOcean's days for a database maintenance window. */
export const WEEKDAYS: readonly string[] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/** A database cluster's weekly maintenance window, in the provider's shape (`hour` is `HH:MM`, UTC). */
export interface MaintenanceWindow {
  readonly day: string;
  readonly hour: string;
}

/**
 * The default maintenance window: Sunday, four hours after the daily backups start, when the daily
 * dump and its verification are long finished and traffic is lowest for most teams.
 */
export const DEFAULT_MAINTENANCE_WINDOW: MaintenanceWindow = { day: "sunday", hour: `${String(DAILY_BACKUP_HOUR_UTC + 4).padStart(2, "0")}:00` };

const HOUR = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Validates a maintenance window: a day DigitalOcean accepts, an `HH:MM` hour, and not from one hour
 * before to two hours after the daily backups start (a maintenance restart would fail the dump).
 */
export function checkMaintenanceWindow(window: Partial<MaintenanceWindow> | undefined, argument: string, problems: Problems): MaintenanceWindow | undefined {
  if (window === undefined) return DEFAULT_MAINTENANCE_WINDOW;
  const before = problems.all.length;
  const day = window.day ?? DEFAULT_MAINTENANCE_WINDOW.day;
  const hour = window.hour ?? DEFAULT_MAINTENANCE_WINDOW.hour;
  if (!WEEKDAYS.includes(day)) problems.add(`${argument}.day`, day, `must be one of ${WEEKDAYS.join(", ")}.`);
  const m = HOUR.exec(hour);
  if (!m) problems.add(`${argument}.hour`, hour, 'must be a UTC time "HH:MM" such as "05:00".');
  else {
    const minutes = Number(m[1]) * 60 + Number(m[2]);
    const start = DAILY_BACKUP_HOUR_UTC * 60;
    if (minutes >= start - 60 && minutes < start + 120) {
      problems.add(`${argument}.hour`, hour, `falls within an hour before or two hours after the daily backups start (${String(DAILY_BACKUP_HOUR_UTC).padStart(2, "0")}:00 UTC): a maintenance restart would cut the dump short. Pick a time from 03:00 to 23:59.`);
    }
  }
  return problems.all.length > before ? undefined : { day, hour };
}

/**
 * The systemd `OnCalendar` expression running a job every `intervalMinutes` (a standard interval,
 * dividing a day), shifted by `offsetMinutes` so sources on one runner do not all start at once.
 * Daily jobs start at {@link DAILY_BACKUP_HOUR_UTC}.
 *
 * @example
 * onCalendar(30, 5);   // "*-*-* *:05/30:00"
 * onCalendar(1440, 5); // "*-*-* 01:05:00"
 */
export function onCalendar(intervalMinutes: number, offsetMinutes = 0): string {
  const two = (n: number) => String(n).padStart(2, "0");
  if (intervalMinutes < 60) return `*-*-* *:${two(offsetMinutes % intervalMinutes)}/${intervalMinutes}:00 UTC`;
  const offset = offsetMinutes % 60;
  if (intervalMinutes < 1440) {
    const hours = intervalMinutes / 60;
    return `*-*-* ${two(DAILY_BACKUP_HOUR_UTC % hours)}/${hours}:${two(offset)}:00 UTC`;
  }
  return `*-*-* ${two(DAILY_BACKUP_HOUR_UTC)}:${two(offset)}:00 UTC`;
}
