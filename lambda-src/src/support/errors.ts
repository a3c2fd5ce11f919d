import { LifeboatValidationError } from "@lifeboat/constructs/core";
import { redact } from "./redact";

/**
 * A job failure told to a person: what failed, why, and what to do. Its message never holds a
 * secret (it is redacted when built), so it may be logged, returned from Lambda and printed.
 */
export class JobError extends Error {
  /** What to do about it, when the job knows. */
  readonly hint?: string;

  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    const text = options.hint ? `${/[.!?:]$/.test(message.trimEnd()) ? message.trimEnd() : `${message.trimEnd()}.`} ${options.hint}` : message;
    super(redact(text));
    this.name = "JobError";
    if (options.hint !== undefined) this.hint = redact(options.hint);
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * The caller's input is wrong (an argument, a target URL, the configuration), found before the job
 * did anything. The command line exits 2 for it, as for a usage error; anything else is a failure (1).
 */
export class InputError extends JobError {
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options);
    this.name = "InputError";
  }
}

/** Whether `error` is the caller's wrong input (exit status 2) rather than a failure of the job. */
export function isInputError(error: unknown): boolean {
  return error instanceof InputError || error instanceof LifeboatValidationError;
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/**
 * One line describing any error for a person, with what an AWS SDK error knows (status, attempts),
 * redacted, without a final period (callers end the sentence).
 */
export function describeError(error: unknown): string {
  return describeErrorText(error).replace(/\.+$/, "");
}

function describeErrorText(error: unknown): string {
  // Lifeboat's own errors are written for people: their class name means nothing to them.
  if (error instanceof JobError || error instanceof LifeboatValidationError) return error.message;
  if (error instanceof Error || (typeof error === "object" && error !== null)) {
    const e = error as SdkErrorShape;
    const parts: string[] = [];
    const status = e.$metadata?.httpStatusCode;
    const name = e.name && e.name !== "Error" ? e.name : e.code;
    let text = e.message && e.message !== name ? `${name ? `${name}: ` : ""}${e.message}` : (name ?? "unknown error");
    if (text === "UnknownError" && status) text = `HTTP ${status}`;
    parts.push(text);
    if (status) parts.push(`HTTP ${status}`);
    if (e.$metadata?.attempts && e.$metadata.attempts > 1) parts.push(`after ${e.$metadata.attempts} attempts`);
    return redact(parts.join(", "));
  }
  return redact(String(error));
}
