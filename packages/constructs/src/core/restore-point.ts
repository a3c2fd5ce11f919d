import { LifeboatValidationError } from "./errors";

const ACCEPTED = 'Write "latest", an ISO 8601 time with a zone such as 2026-11-21T09:00:00Z or 2026-11-21T11:00:00+02:00, a date such as 2026-11-21 (the end of that UTC day), or a backup stamp such as 20261121T090000Z.';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|([+-])(\d{2}):?(\d{2})))?$/;
const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** Days in `month` (1–12) of `year`, leap years included. */
function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Why the fields of a written time do not name a real moment, if they do not. */
function impossible(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0): string | undefined {
  if (month < 1 || month > 12) return `month ${month} does not exist (1 to 12)`;
  if (day < 1 || day > daysIn(year, month)) return `${MONTHS[month - 1]} ${year} has no day ${day} (it has ${daysIn(year, month)})`;
  if (hour > 23) return `hour ${hour} does not exist (00 to 23)`;
  if (minute > 59) return `minute ${minute} does not exist (00 to 59)`;
  if (second > 59) return `second ${second} does not exist (00 to 59)`;
  if (offsetHours > 14 || offsetMinutes > 59) return `the zone offset ${String(offsetHours).padStart(2, "0")}:${String(offsetMinutes).padStart(2, "0")} does not exist (at most 14:00)`;
  return undefined;
}

function refuse(argument: string, at: string, message: string): never {
  throw new LifeboatValidationError("The restore point", [{ argument, value: JSON.stringify(at), message }]);
}

/**
 * Parses a restore's point in time (`--at`): `latest` (now), an ISO 8601 time with a zone, a date
 * (the end of that UTC day, or now for today) or a backup stamp (`20261121T090000Z`). Refuses,
 * naming the field, dates and times that do not exist (`2026-02-30`, `25:00`) and any time after
 * `now`: a restore can only go back in time.
 *
 * @param argument the name the caller gave it, for the error. @default "--at"
 */
export function parseRestorePoint(at: string, now: Date, argument = "--at"): Date {
  if (at === "latest") return now;
  let parsed: Date;
  let dateOnly = false;
  const stamp = STAMP.exec(at);
  const iso = ISO.exec(at);
  if (stamp) {
    const [year, month, day, hour, minute, second] = stamp.slice(1).map(Number) as [number, number, number, number, number, number];
    const why = impossible(year, month, day, hour, minute, second);
    if (why) refuse(argument, at, `is not a real time: ${why}. ${ACCEPTED}`);
    parsed = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  } else if (iso) {
    const [, y, mo, d, h, mi, s, fraction, zone, sign, oh, om] = iso;
    if (h === undefined) {
      dateOnly = true;
      const why = impossible(+y!, +mo!, +d!);
      if (why) refuse(argument, at, `is not a real date: ${why}. ${ACCEPTED}`);
      parsed = new Date(Date.UTC(+y!, +mo! - 1, +d!, 23, 59, 59));
    } else {
      const offset = zone === "Z" ? 0 : (sign === "-" ? -1 : 1) * (+oh! * 60 + +om!);
      const why = impossible(+y!, +mo!, +d!, +h, +mi!, s === undefined ? 0 : +s, zone === "Z" ? 0 : +oh!, zone === "Z" ? 0 : +om!);
      if (why) refuse(argument, at, `is not a real time: ${why}. ${ACCEPTED}`);
      const ms = fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0;
      parsed = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h, +mi!, s === undefined ? 0 : +s, ms) - offset * 60_000);
    }
  } else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(at)) {
    refuse(argument, at, `has no zone, so it could be any of 27 hours: add Z for UTC, or the offset, like ${at.replace(" ", "T")}Z or ${at.replace(" ", "T")}+02:00.`);
  } else {
    refuse(argument, at, `is not a time. ${ACCEPTED}`);
  }
  if (parsed.getTime() <= now.getTime()) return parsed;
  // Today, given as a date, means "the newest backup of today": now, not the end of the day.
  if (dateOnly && parsed.getTime() - 86_399_000 <= now.getTime()) return now;
  refuse(argument, at, `is in the future (${parsed.toISOString()}; it is now ${now.toISOString()}): a restore goes back to a backup that exists. Write "latest" for the newest one.`);
}
