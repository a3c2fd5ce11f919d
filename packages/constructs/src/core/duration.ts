import { Problems } from "./errors";

const UNIT_SECONDS = {
  s: 1,
  m: 60,
  h: 3_600,
  d: 86_400,
  w: 7 * 86_400,
  y: 365 * 86_400,
} as const;

type Unit = keyof typeof UNIT_SECONDS;

const UNIT_NAMES: Record<Unit, string> = { s: "second", m: "minute", h: "hour", d: "day", w: "week", y: "year" };

const PATTERN = /^(\d{1,6})(s|m|h|d|w|y)$/;

/** A duration written as a string: a whole number and one unit, `s`, `m`, `h`, `d`, `w` or `y` (365 days). */
export type DurationString = `${number}${Unit}`;

/**
 * What arguments accept for a duration: a string such as `"35d"` (checked when the component is
 * constructed, so values read from Pulumi config work too) or a {@link Duration}.
 */
export type DurationInput = DurationString | Duration | (string & {});

/**
 * A length of time, exact to the second.
 *
 * Parsed from strings such as `"15m"`, `"6h"`, `"35d"`, `"2w"` or `"1y"` (a year is 365 days, as in
 * every AWS retention setting). Months are not accepted: they have no fixed length.
 */
export class Duration {
  /** `zeroUnit` only names the unit of a zero duration ("0 days", "0 minutes") the way it was written. */
  private constructor(
    readonly seconds: number,
    private readonly zeroUnit = "second",
  ) {}

  static seconds(n: number): Duration {
    return Duration.of(n, 1);
  }
  static minutes(n: number): Duration {
    return Duration.of(n, UNIT_SECONDS.m);
  }
  static hours(n: number): Duration {
    return Duration.of(n, UNIT_SECONDS.h);
  }
  static days(n: number): Duration {
    return Duration.of(n, UNIT_SECONDS.d);
  }

  private static of(n: number, unit: number): Duration {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`a duration must be a whole, non-negative number of units; received ${n}`);
    }
    return new Duration(n * unit, UNIT_NAMES[Object.entries(UNIT_SECONDS).find(([, v]) => v === unit)?.[0] as Unit] ?? "second");
  }

  /**
   * Parses a duration string or passes a {@link Duration} through.
   *
   * @throws Error naming `argument` when the text is not a duration.
   */
  static parse(input: DurationInput, argument = "duration"): Duration {
    const problems = new Problems();
    const parsed = Duration.check(input, argument, problems);
    problems.throwIfAny("Invalid duration");
    return parsed as Duration;
  }

  /**
   * Parses `input`, recording a problem under `argument` instead of throwing. Returns `undefined`
   * when the input is not a duration.
   */
  static check(input: unknown, argument: string, problems: Problems): Duration | undefined {
    if (input instanceof Duration) return input;
    if (typeof input === "string") {
      const match = PATTERN.exec(input.trim());
      if (match) return new Duration(Number(match[1]) * UNIT_SECONDS[match[2] as Unit], UNIT_NAMES[match[2] as Unit]);
    }
    problems.add(
      argument,
      input,
      'is not a duration: write a whole number and one unit, such as "15m", "6h", "35d", "2w" or "1y" (units: s, m, h, d, w, y).',
    );
    return undefined;
  }

  get minutes(): number {
    return this.seconds / UNIT_SECONDS.m;
  }
  get hours(): number {
    return this.seconds / UNIT_SECONDS.h;
  }
  get days(): number {
    return this.seconds / UNIT_SECONDS.d;
  }
  get isWholeDays(): boolean {
    return this.seconds % UNIT_SECONDS.d === 0;
  }

  plus(other: Duration): Duration {
    return new Duration(this.seconds + other.seconds, this.zeroUnit);
  }
  compare(other: Duration): number {
    return this.seconds - other.seconds;
  }
  isShorterThan(other: Duration): boolean {
    return this.seconds < other.seconds;
  }
  isLongerThan(other: Duration): boolean {
    return this.seconds > other.seconds;
  }

  /** A reader's form in the largest unit that divides it: `"35 days"`, `"90 minutes"`. */
  describe(): string {
    if (this.seconds === 0) return `0 ${this.zeroUnit}s`;
    const [count, unit] =
      this.seconds % UNIT_SECONDS.d === 0
        ? [this.days, "day"]
        : this.seconds % UNIT_SECONDS.h === 0
          ? [this.hours, "hour"]
          : this.seconds % UNIT_SECONDS.m === 0
            ? [this.minutes, "minute"]
            : [this.seconds, "second"];
    return `${count} ${unit}${count === 1 ? "" : "s"}`;
  }

  toString(): string {
    return this.describe();
  }

  toJSON(): string {
    return this.describe();
  }
}

/** The units AWS settings count in. */
export type WholeUnit = "minute" | "hour" | "day";

const WHOLE_UNIT_SECONDS: Record<WholeUnit, number> = { minute: UNIT_SECONDS.m, hour: UNIT_SECONDS.h, day: UNIT_SECONDS.d };
const WHOLE_UNIT_HINT: Record<WholeUnit, string> = { minute: "", hour: "", day: ': write it in "d", "w" or "y"' };

/**
 * Parses `input` as a duration of a whole number of `unit`s within `[min, max]`, recording problems
 * under `argument`. Returns the count of units, or `undefined` when the input is unusable.
 *
 * @example
 * checkWholeUnits("72h", "lock.changeableFor", problems, "hour", { min: 72 }); // 72
 */
export function checkWholeUnits(
  input: unknown,
  argument: string,
  problems: Problems,
  unit: WholeUnit,
  range: { min: number; max?: number; why?: string },
): number | undefined {
  const duration = Duration.check(input, argument, problems);
  if (duration === undefined) return undefined;
  const because = range.why ? ` because ${range.why}` : "";
  if (duration.seconds % WHOLE_UNIT_SECONDS[unit] !== 0) {
    problems.add(argument, duration, `must be a whole number of ${unit}s${because}${WHOLE_UNIT_HINT[unit]}.`);
    return undefined;
  }
  const count = duration.seconds / WHOLE_UNIT_SECONDS[unit];
  if (count < range.min || (range.max !== undefined && count > range.max)) {
    const allowed = range.max === undefined ? `at least ${plural(range.min, unit)}` : `between ${range.min} and ${plural(range.max, unit)}`;
    problems.add(argument, duration, `must be ${allowed}${because}.`);
    return undefined;
  }
  return count;
}

/** {@link checkWholeUnits} in days: what S3 lifecycle rules, KMS and AWS Backup count in. */
export function checkDays(input: unknown, argument: string, problems: Problems, range: { min: number; max?: number; why?: string }): number | undefined {
  return checkWholeUnits(input, argument, problems, "day", range);
}

/** `plural(1, "day")` → `"1 day"`, `plural(35, "day")` → `"35 days"`. */
export function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

/** A number of days for an error message, the way {@link Duration.describe} writes it. */
export function describeDays(days: number): string {
  return plural(days, "day");
}
