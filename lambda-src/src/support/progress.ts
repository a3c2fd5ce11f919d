import type { ByteMeter } from "../s3/metered";
import type { Output } from "./output";

/** Where progress goes: one line rewritten in place on a terminal, or log events. */
export type ProgressMode = { readonly kind: "terminal"; readonly write: (text: string) => void; readonly columns?: number } | { readonly kind: "lines"; readonly output: Output } | { readonly kind: "none" };

/** One progress report. */
export interface ProgressState {
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** Bytes per second over the last few seconds, both directions. */
  readonly bytesPerSecond: number;
  readonly elapsedSeconds: number;
}

/** The shortest interval between two reports: about once a second at most. */
export const MIN_PROGRESS_SECONDS = 1;

const RATE_WINDOW_MS = 5_000;
const CLEAR_LINE = "\r\x1b[2K";

/** `1536` → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** `75` → `1:15`, `3725` → `1:02:05`. */
export function formatElapsed(seconds: number): string {
  const s = Math.floor(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh > 0 ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/** The progress sentence for people: `backup app-db: 1.20 GiB written to the vault, 41.0 MiB/s, 0:31`. */
export function describeProgress(label: string, state: ProgressState): string {
  const moved = [state.bytesRead > 0 ? `${formatBytes(state.bytesRead)} read from the vault` : "", state.bytesWritten > 0 ? `${formatBytes(state.bytesWritten)} written to the vault` : ""].filter(Boolean).join(", ") || "nothing moved yet";
  return `${label}: ${moved}, ${formatBytes(Math.round(state.bytesPerSecond))}/s, ${formatElapsed(state.elapsedSeconds)}`;
}

/**
 * Reports a long job's progress from a {@link ByteMeter} every `intervalSeconds` (never more often
 * than once a second): on a terminal, one line rewritten in place (other stderr lines are printed
 * above it through {@link ProgressReporter.print}); otherwise a `progress` log event, only when
 * bytes moved since the last one. `stop` clears the terminal line.
 */
export class ProgressReporter {
  private readonly started: number;
  private readonly samples: { at: number; bytes: number }[] = [];
  private timer?: NodeJS.Timeout;
  private shown = "";
  private lastReported = 0;

  constructor(
    private readonly label: string,
    private readonly meter: ByteMeter,
    private readonly mode: ProgressMode,
    private readonly intervalSeconds: number,
    private readonly extra: Record<string, unknown> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    this.samples.push({ at: this.started, bytes: 0 });
  }

  /** Starts reporting. */
  start(): this {
    if (this.mode.kind === "none") return this;
    this.timer = setInterval(() => this.tick(), Math.max(MIN_PROGRESS_SECONDS, this.intervalSeconds) * 1000);
    this.timer.unref();
    return this;
  }

  /** The current state. */
  state(): ProgressState {
    const at = this.now();
    const bytes = this.meter.read + this.meter.written;
    const first = this.samples.find((s) => at - s.at <= RATE_WINDOW_MS) ?? { at: this.started, bytes: 0 };
    const span = (at - first.at) / 1000;
    return { bytesRead: this.meter.read, bytesWritten: this.meter.written, bytesPerSecond: span > 0 ? (bytes - first.bytes) / span : 0, elapsedSeconds: (at - this.started) / 1000 };
  }

  /** Reports now (the timer calls it). */
  tick(): void {
    this.sample();
    const state = this.state();
    const message = describeProgress(this.label, state);
    if (this.mode.kind === "terminal") {
      const columns = this.mode.columns ?? 0;
      this.shown = columns > 1 && message.length >= columns ? `${message.slice(0, columns - 2)}…` : message;
      this.mode.write(`${CLEAR_LINE}${this.shown}`);
    } else if (this.mode.kind === "lines") {
      const bytes = state.bytesRead + state.bytesWritten;
      if (bytes === this.lastReported) return;
      this.lastReported = bytes;
      this.mode.output.log({ level: "info", event: "progress", message, ...this.extra, ...state, bytesPerSecond: Math.round(state.bytesPerSecond), elapsedSeconds: Math.round(state.elapsedSeconds * 10) / 10 });
    }
  }

  /**
   * Writes `text` (whole lines, to stderr or stdout) above the progress line: the line is cleared,
   * the text written, the line drawn again. Without a terminal line, `text` is written as is.
   */
  print(text: string, write: (text: string) => void): void {
    if (this.mode.kind !== "terminal" || !this.shown) return write(text);
    this.mode.write(CLEAR_LINE);
    write(text);
    this.mode.write(this.shown);
  }

  /** Stops reporting and clears the terminal line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.mode.kind === "terminal" && this.shown) this.mode.write(CLEAR_LINE);
    this.shown = "";
  }

  private sample(): void {
    const at = this.now();
    this.samples.push({ at, bytes: this.meter.read + this.meter.written });
    while (this.samples.length > 2 && at - this.samples[0]!.at > RATE_WINDOW_MS) this.samples.shift();
  }
}
