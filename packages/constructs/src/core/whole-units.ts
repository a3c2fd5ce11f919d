import { Duration } from "./duration";
import { Problems } from "./errors";

const UNITS = {
  minute: 60,
  hour: 3_600,
} as const;

/** A unit AWS settings count in, besides days (which {@link checkDays} handles). */
export type WholeUnit = keyof typeof UNITS;

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
  if (duration.seconds % UNITS[unit] !== 0) {
    problems.add(argument, duration, `must be a whole number of ${unit}s${because}.`);
    return undefined;
  }
  const count = duration.seconds / UNITS[unit];
  if (count < range.min || (range.max !== undefined && count > range.max)) {
    const allowed = range.max === undefined ? `at least ${range.min} ${unit}${range.min === 1 ? "" : "s"}` : `between ${range.min} and ${range.max} ${unit}s`;
    problems.add(argument, duration, `must be ${allowed}${because}.`);
    return undefined;
  }
  return count;
}
