import { checkDrillSettings, DEFAULT_DRILL_OBJECTS_PREFIX } from "../drill";
import { type Problems } from "../errors";
import { checkSourceName, type SourceKind } from "../vault-layout";
import { checkPrefix } from "./aws-names";

/** What a job of one source does: back it up, or drill its restore. */
export type SourceJobRole = "backup" | "drill";

/** What a backup or drill job of one source is, decided once for every front end. */
export interface SourceJobDesign {
  readonly role: SourceJobRole;
  /** The Lambda handler the job runs. */
  readonly handler: SourceJobRole;
  /** Memory when the job's arguments name none: pg_dump and every restore need more than an objects or Redis copy. */
  readonly defaultMemoryMb: number;
  readonly description: string;
  /** The schedule's payload. */
  readonly input: { readonly source: string };
  /** A backup job's prefix in the vault (where it may write). */
  readonly prefix: string;
  /** An objects drill's scratch prefix (where it may write and delete); `""` for other kinds. */
  readonly scratchPrefix: string;
}

/** The source a job serves, as far as it is known when the program runs. */
export interface SourceJobSubject {
  readonly name?: unknown;
  readonly kind?: unknown;
  readonly drill?: unknown;
  readonly prefix?: unknown;
}

const TOOLS: Readonly<Record<SourceJobRole, Readonly<Record<"postgres" | "redis", string>>>> = {
  backup: { postgres: "it needs pg_dump and zstd", redis: "it needs redis-cli and zstd" },
  drill: { postgres: "the restore needs pg_restore and psql", redis: "the restore needs zstd" },
};

/**
 * Validates and designs the backup or drill job of one source: its name, its drill settings, and
 * that a PostgreSQL or Redis job does not run from the bundled handler (which has no database
 * tools). `bundled` says whether the job's code is the bundled handler; `imageFix` is the front end's
 * way to name the image (`{ imageUri }`, `{ repository, tag }`). Problems are added, not thrown.
 */
export function designSourceJob(role: SourceJobRole, source: SourceJobSubject | undefined, code: { readonly bundled: boolean; readonly value: unknown; readonly imageFix: string }, problems: Problems): SourceJobDesign {
  const name = source?.name;
  const kind = source?.kind;
  if (typeof name !== "string") {
    problems.add("source.name", name, `must be known when the program runs: it ${role === "backup" ? "is the job's prefix in the vault" : "names the drill's records"} and is part of its permissions.`);
  } else {
    checkSourceName(name, "source.name", problems);
  }
  if (role === "drill" && typeof kind === "string" && source?.drill !== undefined && !isEngineValue(source.drill)) {
    checkDrillSettings(source.drill, kind as SourceKind, "source.drill", problems);
  }
  if ((kind === "postgres" || kind === "redis") && code.bundled) {
    problems.add("code", code.value, `cannot ${role === "backup" ? "back up" : "drill"} ${kind} with the bundled handler: ${TOOLS[role][kind]} from the jobs image. Pass ${code.imageFix}.`);
  }
  const prefix = role === "backup" && typeof name === "string" ? (checkPrefix(name, "source.name", problems) ?? "") : "";
  const drill = source?.drill as { scratch?: { prefix?: string } } | undefined;
  return {
    role,
    handler: role,
    defaultMemoryMb: role === "backup" && kind !== "postgres" ? 512 : 1024,
    description: role === "backup" ? `Lifeboat backup of ${String(name)} (${String(kind)})` : `Lifeboat restore drill of ${String(name)} (${String(kind)})`,
    input: { source: String(name) },
    prefix,
    scratchPrefix: kind === "objects" ? (drill?.scratch?.prefix ?? DEFAULT_DRILL_OBJECTS_PREFIX) : "",
  };
}

/** An engine's deploy-time object (a Pulumi Output), which is checked when it resolves, not here. */
function isEngineValue(value: unknown): boolean {
  return typeof value === "object" && value !== null && "apply" in value && typeof (value as { apply: unknown }).apply === "function";
}
