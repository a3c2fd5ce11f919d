import { plural } from "../duration";
import { Problems } from "../errors";

const MINUTES_PER_DAY = 1_440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

/**
 * A window that recurs every day, in UTC, as RDS and ElastiCache write backup windows:
 * `"hh24:mi-hh24:mi"`. It may cross midnight (`"23:30-00:30"`).
 */
export interface DailyWindow {
  /** The window as written, for the provider. */
  readonly text: string;
  /** Minutes after 00:00 UTC at which it opens. */
  readonly startMinute: number;
  readonly lengthMinutes: number;
}

/** A window that recurs every week, in UTC, as maintenance windows are written: `"ddd:hh24:mi-ddd:hh24:mi"`. */
export interface WeeklyWindow {
  readonly text: string;
  /** Minutes after Sunday 00:00 UTC at which it opens. */
  readonly startMinute: number;
  readonly lengthMinutes: number;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minuteOfDay(text: string): number | undefined {
  const match = TIME.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/**
 * Checks a daily window such as `"03:00-04:00"` (UTC) of at least `minMinutes`, recording problems
 * under `argument`.
 */
export function checkDailyWindow(input: unknown, argument: string, problems: Problems, rule: { minMinutes: number; service: string }): DailyWindow | undefined {
  const parts = typeof input === "string" ? input.split("-") : [];
  const start = parts.length === 2 ? minuteOfDay(parts[0]!) : undefined;
  const end = parts.length === 2 ? minuteOfDay(parts[1]!) : undefined;
  if (start === undefined || end === undefined) {
    problems.add(argument, input, `is not a daily window: write it "hh24:mi-hh24:mi" in UTC, like "03:00-04:00".`);
    return undefined;
  }
  const lengthMinutes = (end - start + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  if (lengthMinutes < rule.minMinutes) {
    problems.add(argument, input, `lasts ${plural(lengthMinutes, "minute")}; ${rule.service} needs at least ${plural(rule.minMinutes, "minute")}. Widen the window.`);
    return undefined;
  }
  return { text: input as string, startMinute: start, lengthMinutes };
}

/**
 * Checks a weekly window such as `"sun:05:00-sun:06:00"` (UTC) of at least `minMinutes`, recording
 * problems under `argument`.
 */
export function checkWeeklyWindow(input: unknown, argument: string, problems: Problems, rule: { minMinutes: number; service: string }): WeeklyWindow | undefined {
  const match = typeof input === "string" ? /^([a-z]{3}):(\d\d:\d\d)-([a-z]{3}):(\d\d:\d\d)$/.exec(input) : null;
  const startDay = match ? DAYS.indexOf(match[1] as (typeof DAYS)[number]) : -1;
  const endDay = match ? DAYS.indexOf(match[3] as (typeof DAYS)[number]) : -1;
  const start = match ? minuteOfDay(match[2]!) : undefined;
  const end = match ? minuteOfDay(match[4]!) : undefined;
  if (startDay < 0 || endDay < 0 || start === undefined || end === undefined) {
    problems.add(argument, input, `is not a weekly window: write it "ddd:hh24:mi-ddd:hh24:mi" in UTC with lowercase days sun, mon, tue, wed, thu, fri, sat, like "sun:05:00-sun:06:00".`);
    return undefined;
  }
  const startMinute = startDay * MINUTES_PER_DAY + start;
  const lengthMinutes = (endDay * MINUTES_PER_DAY + end - startMinute + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
  if (lengthMinutes < rule.minMinutes) {
    problems.add(argument, input, `lasts ${plural(lengthMinutes, "minute")}; ${rule.service} needs at least ${plural(rule.minMinutes, "minute")}. Widen the window.`);
    return undefined;
  }
  return { text: input as string, startMinute, lengthMinutes };
}

/** Whether two spans on a circle of `circumference` minutes share any minute. */
function spansOverlap(aStart: number, aLength: number, bStart: number, bLength: number, circumference: number): boolean {
  const overlaps = (s1: number, l1: number, s2: number, l2: number) => s1 < s2 + l2 && s2 < s1 + l1;
  return overlaps(aStart, aLength, bStart, bLength) || overlaps(aStart + circumference, aLength, bStart, bLength) || overlaps(aStart, aLength, bStart + circumference, bLength);
}

/** Whether a daily window, on any day of the week, shares a minute with a weekly window. */
export function windowsOverlap(daily: DailyWindow, weekly: WeeklyWindow): boolean {
  return DAYS.some((_day, index) => spansOverlap(index * MINUTES_PER_DAY + daily.startMinute, daily.lengthMinutes, weekly.startMinute, weekly.lengthMinutes, MINUTES_PER_WEEK));
}

/** AWS Backup does not start an RDS or Aurora backup during the maintenance window, nor in the hour before it. */
export const AWS_BACKUP_MAINTENANCE_MARGIN_MINUTES = 60;

/**
 * Whether a job that may start at `startMinute` (of the day, UTC) within `startWindowMinutes`, on the
 * given weekdays (0 = Sunday; all when omitted), could start in a maintenance window or the hour
 * before it. AWS Backup skips such a start, so a weekly rule that always falls there never runs.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html
 */
export function startsNearMaintenance(startMinute: number, startWindowMinutes: number, weekdays: readonly number[] | undefined, maintenance: WeeklyWindow): boolean {
  const margin = AWS_BACKUP_MAINTENANCE_MARGIN_MINUTES;
  const blockedStart = (maintenance.startMinute - margin + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
  const blockedLength = maintenance.lengthMinutes + margin;
  return (weekdays ?? [0, 1, 2, 3, 4, 5, 6]).some((day) => spansOverlap(day * MINUTES_PER_DAY + startMinute, startWindowMinutes, blockedStart, blockedLength, MINUTES_PER_WEEK));
}
