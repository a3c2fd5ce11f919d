/**
 * One thing wrong with the arguments of a component: which argument, the value it received and
 * what is allowed instead.
 */
export interface ValidationProblem {
  /** The argument's path as the user wrote it, for example `retention.weekly`. */
  readonly argument: string;
  /** The value received, already described for a reader (`"35 days"`, `"us-east-1"`). */
  readonly value: string;
  /** What is allowed and how to fix it. */
  readonly message: string;
}

/**
 * Thrown before any resource is created when arguments break a rule. It lists every problem found,
 * not only the first one.
 */
export class LifeboatValidationError extends Error {
  readonly problems: readonly ValidationProblem[];

  constructor(subject: string, problems: readonly ValidationProblem[]) {
    const lines = problems.map((p) => `  - \`${p.argument}\` (${p.value}) ${p.message}`);
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`${subject}: ${count} in the arguments:\n${lines.join("\n")}`);
    this.name = "LifeboatValidationError";
    this.problems = problems;
  }
}

/** Describes a received value for an error message: strings quoted, the rest in JSON. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "not set";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object" && value !== null && "describe" in value && typeof value.describe === "function") {
    return String(value.describe());
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Collects problems while arguments are checked, then throws them all at once.
 *
 * @example
 * const problems = new Problems();
 * if (days < 1) problems.add("retention.daily", days, "must be at least 1 day.");
 * problems.throwIfAny('BackupVault "vault"');
 */
export class Problems {
  private readonly list: ValidationProblem[] = [];

  /** Records a problem. `value` is described with {@link describeValue} unless already a string description. */
  add(argument: string, value: unknown, message: string): void {
    this.list.push({ argument, value: describeValue(value), message });
  }

  /** Records problems found by another check. */
  addAll(problems: readonly ValidationProblem[]): void {
    this.list.push(...problems);
  }

  get all(): readonly ValidationProblem[] {
    return this.list;
  }

  get isEmpty(): boolean {
    return this.list.length === 0;
  }

  /** Throws a {@link LifeboatValidationError} naming `subject` when any problem was recorded. */
  throwIfAny(subject: string): void {
    if (this.list.length > 0) throw new LifeboatValidationError(subject, this.list);
  }
}
