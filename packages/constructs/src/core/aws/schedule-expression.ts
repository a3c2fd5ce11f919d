import { plural } from "../duration";
import { Problems } from "../errors";

/** A recurring EventBridge Scheduler (or AWS Backup) expression, parsed, with the gaps between its runs. */
export interface ScheduleExpression {
  /** The expression as written: `rate(30 minutes)` or `cron(0 3 * * ? *)`. */
  readonly text: string;
  readonly kind: "rate" | "cron";
  /** The longest time between two consecutive runs, in minutes: what a freshness alarm must allow. */
  readonly maxIntervalMinutes: number;
  /** The shortest time between two consecutive runs, in minutes. */
  readonly minIntervalMinutes: number;
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MINUTES_PER_DAY = 1440;
/** Weekdays and leap years repeat every 28 years between 1901 and 2099: a `*` year needs no longer look. */
const CYCLE_YEARS = 28;
const CYCLE_START = 2024;

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldRule[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 1, max: 7, names: WEEKDAYS },
  { name: "year", min: 1970, max: 2199 },
];

/** A day-of-month or day-of-week field: plain values, or the `L`, `W` and `#` forms. */
interface DayField {
  readonly any: boolean;
  readonly question: boolean;
  readonly values: ReadonlySet<number>;
  /** Day-of-month `L`: the last day of the month. Day-of-week `nL`: the last such weekday of the month. */
  readonly last: readonly number[];
  /** Day-of-month `nW`: the weekday nearest day n, within the month. `0` stands for `LW`. */
  readonly nearestWeekday: readonly number[];
  /** Day-of-week `d#k`: the k-th weekday d of the month. */
  readonly nth: readonly { readonly weekday: number; readonly k: number }[];
}

function value(text: string, rule: FieldRule): number | undefined {
  const named = rule.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= rule.min && n <= rule.max ? n : undefined;
}

/** Parses the list, range, step and wildcard forms shared by every field into the set of values. */
function plainElement(element: string, rule: FieldRule, into: Set<number>): string | undefined {
  const [range, stepText, extra] = element.split("/");
  if (extra !== undefined) return `"${element}" has two "/"`;
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) < 1) return `"${element}" needs a positive whole step after "/"`;
    step = Number(stepText);
  }
  let from: number | undefined;
  let to: number | undefined;
  if (range === "*") {
    from = rule.min;
    to = rule.max;
  } else {
    const bounds = (range ?? "").split("-");
    if (bounds.length > 2) return `"${element}" is not a range`;
    from = value(bounds[0] ?? "", rule);
    to = bounds.length === 2 ? value(bounds[1] ?? "", rule) : stepText !== undefined ? rule.max : from;
    if (from === undefined || to === undefined) return `"${element}" is outside ${rule.min}-${rule.max}${rule.names ? ` (or ${rule.names[0]}-${rule.names[rule.names.length - 1]})` : ""}`;
    if (from > to) return `"${element}" runs backwards; write the lower bound first`;
  }
  for (let v = from; v <= to; v += step) into.add(v);
  return undefined;
}

function parsePlain(text: string, rule: FieldRule): { values: Set<number> } | { error: string } {
  const values = new Set<number>();
  for (const element of text.split(",")) {
    const error = plainElement(element, rule, values);
    if (error) return { error };
  }
  return { values };
}

function parseDayField(text: string, rule: FieldRule): DayField | { error: string } {
  const empty = { any: false, question: false, values: new Set<number>(), last: [] as number[], nearestWeekday: [] as number[], nth: [] as { weekday: number; k: number }[] };
  if (text === "?") return { ...empty, question: true };
  if (text === "*") return { ...empty, any: true };
  const field = { ...empty, values: new Set<number>() };
  const dayOfMonth = rule.name === "day-of-month";
  for (const element of text.split(",")) {
    const upper = element.toUpperCase();
    if (dayOfMonth && upper === "L") field.last.push(0);
    else if (dayOfMonth && upper === "LW") field.nearestWeekday.push(0);
    else if (dayOfMonth && /^\d+W$/.test(upper)) {
      const day = value(upper.slice(0, -1), rule);
      if (day === undefined) return { error: `"${element}" names a day outside 1-31` };
      field.nearestWeekday.push(day);
    } else if (!dayOfMonth && upper === "L") field.values.add(7);
    else if (!dayOfMonth && /^[A-Z0-9]+L$/.test(upper)) {
      const weekday = value(upper.slice(0, -1), rule);
      if (weekday === undefined) return { error: `"${element}" names a weekday outside 1-7 (SUN-SAT)` };
      field.last.push(weekday);
    } else if (!dayOfMonth && upper.includes("#")) {
      const [weekdayText, kText] = upper.split("#");
      const weekday = value(weekdayText ?? "", rule);
      const k = Number(kText);
      if (weekday === undefined || !Number.isInteger(k) || k < 1 || k > 5) return { error: `"${element}" must be weekday#n with a weekday 1-7 (SUN-SAT) and n from 1 to 5` };
      field.nth.push({ weekday, k });
    } else {
      const error = plainElement(element, rule, field.values);
      if (error) return { error };
    }
  }
  return field;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function nearestWeekday(year: number, month: number, day: number): number {
  const length = daysInMonth(year, month);
  const target = day === 0 ? length : Math.min(day, length);
  const weekday = weekdayOf(year, month, target);
  if (weekday === 7) return target === 1 ? 3 : target - 1; // Saturday: Friday, or Monday the 3rd when the 1st is a Saturday
  if (weekday === 1) return target === length ? target - 2 : target + 1; // Sunday: Monday, or Friday when the month ends
  return target;
}

function dayMatches(year: number, month: number, day: number, dom: DayField, dow: DayField): boolean {
  if (!dom.question) {
    if (dom.any || dom.values.has(day)) return true;
    if (dom.last.length > 0 && day === daysInMonth(year, month)) return true;
    return dom.nearestWeekday.some((d) => nearestWeekday(year, month, d) === day);
  }
  const weekday = weekdayOf(year, month, day);
  if (dow.any || dow.values.has(weekday)) return true;
  if (dow.last.includes(weekday) && day + 7 > daysInMonth(year, month)) return true;
  return dow.nth.some((n) => n.weekday === weekday && Math.ceil(day / 7) === n.k);
}

/** A parsed six-field cron expression. */
interface Cron {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly dom: DayField;
  readonly months: ReadonlySet<number>;
  readonly dow: DayField;
  readonly years: ReadonlySet<number>;
  readonly anyYear: boolean;
}

function parseCron(body: string): Cron | { errors: string[] } {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) return { errors: [`has ${plural(parts.length, "field")}; cron() takes six: minutes hours day-of-month month day-of-week year`] };
  const errors: string[] = [];
  const plain = (i: number) => {
    const parsed = parsePlain(parts[i] as string, FIELDS[i] as FieldRule);
    if ("error" in parsed) {
      errors.push(`${(FIELDS[i] as FieldRule).name}: ${parsed.error}`);
      return new Set<number>();
    }
    return parsed.values;
  };
  const day = (i: number) => {
    const parsed = parseDayField(parts[i] as string, FIELDS[i] as FieldRule);
    if ("error" in parsed) {
      errors.push(`${(FIELDS[i] as FieldRule).name}: ${parsed.error}`);
      return undefined;
    }
    return parsed;
  };
  const minutes = plain(0);
  const hours = plain(1);
  const dom = day(2);
  const months = plain(3);
  const dow = day(4);
  const years = plain(5);
  if (dom && dow && dom.question === dow.question) {
    errors.push(`day-of-month "${parts[2]}" and day-of-week "${parts[4]}": exactly one of them must be "?"`);
  }
  if (errors.length > 0 || !dom || !dow) return { errors };
  return { minutes, hours, dom, months, dow, years, anyYear: parts[5] === "*" };
}

/** The days a cron expression runs on, as day numbers since 1970-01-01, within `years`. */
function runDays(cron: Cron, years: readonly number[]): number[] {
  const days: number[] = [];
  for (const year of years) {
    for (const month of cron.months) {
      const length = daysInMonth(year, month);
      for (let day = 1; day <= length; day++) {
        if (dayMatches(year, month, day, cron.dom, cron.dow)) days.push(Date.UTC(year, month - 1, day) / 86_400_000);
      }
    }
  }
  return days.sort((a, b) => a - b);
}

/** The longest and shortest gaps between consecutive runs of a cron expression, in minutes. */
function cronIntervals(cron: Cron): { max: number; min: number; runs: number } {
  const times = [...cron.hours].flatMap((h) => [...cron.minutes].map((m) => h * 60 + m)).sort((a, b) => a - b);
  const years = cron.anyYear ? Array.from({ length: CYCLE_YEARS }, (_, i) => CYCLE_START + i) : [...cron.years].sort((a, b) => a - b);
  const days = runDays(cron, years);
  const runs = days.length * times.length;
  if (runs < 2 && !(cron.anyYear && runs === 1)) return { max: Number.POSITIVE_INFINITY, min: Number.POSITIVE_INFINITY, runs };
  let max = 0;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i] as number) - (times[i - 1] as number);
    max = Math.max(max, gap);
    min = Math.min(min, gap);
  }
  const first = times[0] as number;
  const last = times[times.length - 1] as number;
  const between = (a: number, b: number) => (b - a) * MINUTES_PER_DAY + first - last;
  for (let i = 1; i < days.length; i++) {
    const gap = between(days[i - 1] as number, days[i] as number);
    max = Math.max(max, gap);
    min = Math.min(min, gap);
  }
  if (cron.anyYear) {
    // The schedule repeats every cycle: the gap from the cycle's last run to the next cycle's first.
    const cycleDays = (Date.UTC(CYCLE_START + CYCLE_YEARS, 0, 1) - Date.UTC(CYCLE_START, 0, 1)) / 86_400_000;
    const gap = between(days[days.length - 1] as number, (days[0] as number) + cycleDays);
    max = Math.max(max, gap);
    min = Math.min(min, gap);
  }
  return { max, min, runs };
}

const EXAMPLES = '"rate(30 minutes)", "rate(1 day)" or "cron(0 3 * * ? *)" (six fields: minutes hours day-of-month month day-of-week year)';

/**
 * Parses a recurring EventBridge Scheduler expression, `rate(value unit)` or a six-field
 * `cron(minutes hours day-of-month month day-of-week year)` with `*`, `?`, lists, ranges, steps,
 * month and weekday names, `L`, `W` and `#`, and derives the longest and shortest gaps between its runs.
 * Records every problem under `argument` and returns `undefined` when there is one.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 *
 * @example
 * parseScheduleExpression("cron(0/5 * * * ? *)", "schedule", problems)?.maxIntervalMinutes; // 5
 */
export function parseScheduleExpression(text: unknown, argument: string, problems: Problems): ScheduleExpression | undefined {
  if (typeof text !== "string") {
    problems.add(argument, text, `must be an EventBridge Scheduler expression such as ${EXAMPLES}.`);
    return undefined;
  }
  const rate = RATE.exec(text);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2] as string;
    if (n < 1 || (n === 1) !== !unit.endsWith("s")) {
      problems.add(argument, text, `must say "1 ${unit.replace(/s$/, "")}" or "${Math.max(n, 2)} ${unit.endsWith("s") ? unit : `${unit}s`}": EventBridge Scheduler rejects the other form.`);
      return undefined;
    }
    const minutes = n * (unit.startsWith("minute") ? 1 : unit.startsWith("hour") ? 60 : MINUTES_PER_DAY);
    return { text, kind: "rate", maxIntervalMinutes: minutes, minIntervalMinutes: minutes };
  }
  const cron = /^cron\((.*)\)$/.exec(text);
  if (!cron) {
    problems.add(argument, text, `is not a recurring schedule: write ${EXAMPLES}.`);
    return undefined;
  }
  const parsed = parseCron(cron[1] as string);
  if ("errors" in parsed) {
    problems.add(argument, text, `is not a valid cron expression: ${parsed.errors.join("; ")}. Write it like "cron(0 3 * * ? *)" (03:00 UTC daily).`);
    return undefined;
  }
  const intervals = cronIntervals(parsed);
  if (!Number.isFinite(intervals.max)) {
    problems.add(argument, text, intervals.runs === 0 ? "never runs: no date matches every field. Check the day, month and year fields." : "runs only once: a backup schedule must repeat. Use a `*` year.");
    return undefined;
  }
  return { text, kind: "cron", maxIntervalMinutes: intervals.max, minIntervalMinutes: intervals.min };
}
