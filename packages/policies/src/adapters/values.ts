import { UNKNOWN_VALUE } from "../facts/fact";

/** The engine's sentinels for values computed at deploy time, and the recorder's plain form. */
const UNKNOWN_SENTINELS = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
  "<unknown>",
  UNKNOWN_VALUE,
]);

/** `true` for a value only known after deploy. */
export function isUnknown(value: unknown): boolean {
  // `${?}` is what a CloudFormation function that cannot be resolved offline reads as.
  return typeof value === "string" && (UNKNOWN_SENTINELS.has(value) || value.includes("${?}"));
}

export type Bag = Readonly<Record<string, unknown>>;

/**
 * Reads property bags of any shape without throwing: a value of the wrong type reads as absent, and
 * a value computed at deploy time is recorded under its path in `unknown`.
 */
export class Reader {
  readonly unknown = new Set<string>();

  /** A string; an unknown string reads as {@link UNKNOWN_VALUE} so a rule sees that something is set. */
  str(value: unknown, path: string): string | undefined {
    if (isUnknown(value)) {
      this.unknown.add(path);
      return UNKNOWN_VALUE;
    }
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return undefined;
  }

  /** A known string only. */
  known(value: unknown): string | undefined {
    return typeof value === "string" && !isUnknown(value) ? value : undefined;
  }

  num(value: unknown, path: string): number | undefined {
    if (isUnknown(value)) {
      this.unknown.add(path);
      return undefined;
    }
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    return undefined;
  }

  bool(value: unknown, path: string): boolean | undefined {
    if (isUnknown(value)) {
      this.unknown.add(path);
      return undefined;
    }
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "True") return true;
    if (value === "false" || value === "False") return false;
    return undefined;
  }

  /** An object; an array of objects reads as its first element (the provider's "list of one" blocks). */
  obj(value: unknown, path: string): Bag | undefined {
    if (isUnknown(value)) {
      this.unknown.add(path);
      return undefined;
    }
    if (Array.isArray(value)) return value.length > 0 ? this.obj(value[0], path) : undefined;
    return value !== null && typeof value === "object" ? (value as Bag) : undefined;
  }

  /** An array; a single object reads as a list of one. */
  arr(value: unknown, path: string): unknown[] {
    if (isUnknown(value)) {
      this.unknown.add(path);
      return [];
    }
    if (Array.isArray(value)) return value;
    return value !== null && typeof value === "object" ? [value] : [];
  }

  /** Tags as a plain map of strings, from a map or CloudFormation's `[{ Key, Value }]`. */
  tags(value: unknown): Record<string, string> {
    const tags: Record<string, string> = {};
    if (Array.isArray(value)) {
      for (const t of value) {
        if (t && typeof t === "object" && typeof (t as Bag).Key === "string" && typeof (t as Bag).Value === "string") tags[(t as Bag).Key as string] = (t as Bag).Value as string;
      }
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value as Bag)) if (typeof v === "string") tags[k] = v;
    }
    return tags;
  }
}
