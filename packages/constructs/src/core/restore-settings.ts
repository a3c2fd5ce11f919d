import type { Problems } from "./errors";

/**
 * How the jobs restore PostgreSQL, from the job configuration's `restore`. Restores download the
 * archive to scratch space while hashing it, check the SHA-256 before the target is touched, then
 * run `pg_restore -j <parallelJobs>` from the file; they stream instead (one transaction) when the
 * scratch space is too small or the backup does not say how large its archive is.
 */
export interface RestoreSettings {
  /**
   * Where the archive is written for a parallel restore. Lambda's `/tmp` holds up to 10,240 MB
   * (the function's ephemeral storage), a Fargate task's up to 200 GiB.
   * @default - the operating system's temporary directory (`TMPDIR`, else `/tmp`)
   */
  readonly scratchDirectory?: string;
  /**
   * `pg_restore -j`: tables restored at once. 1 streams the archive in one transaction instead.
   * @default - the machine's cores (`os.availableParallelism()`), at most {@link MAX_RESTORE_JOBS}
   */
  readonly parallelJobs?: number;
}

/** The most `pg_restore -j` workers a restore starts: each is a server connection and a backend. */
export const MAX_RESTORE_JOBS = 32;

/**
 * Free space the scratch directory must keep beyond the archive itself, because a full disk fails
 * more than the restore.
 */
export const SCRATCH_HEADROOM_BYTES = 64 * 1024 * 1024;

/** `pg_restore -j` for a machine with `cores` cores, unless configured. */
export function restoreJobs(settings: RestoreSettings | undefined, cores: number): number {
  return settings?.parallelJobs ?? Math.max(1, Math.min(MAX_RESTORE_JOBS, cores));
}

/** What a PostgreSQL restore gives back besides the data. */
export interface RestoreGrants {
  /** Restore each object's owner. @default true */
  readonly owners?: boolean;
  /** Restore GRANTs and default privileges. @default true */
  readonly privileges?: boolean;
  /** Recreate the captured roles the target server lacks before restoring. @default false */
  readonly createRoles?: boolean;
}

/**
 * Whether a backup may capture a role for a restore to recreate: never a superuser, a system role
 * (`pg_*`, OIDs below 16384), a managed service's own roles (RDS's `rds*`, DigitalOcean's `_dodb`)
 * or the user the backup connects as (the target has its own).
 */
export function isCapturableRole(role: { readonly name: string; readonly superuser: boolean; readonly oid: number; readonly connecting: boolean }): boolean {
  return !role.superuser && !role.connecting && role.oid >= 16384 && !/^(pg_|rds|_dodb)/.test(role.name);
}

/** Records a problem for each bad field of `restore`. */
export function checkRestoreSettings(value: unknown, problems: Problems): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.add("restore", value, 'must be an object such as { "scratchDirectory": "/tmp", "parallelJobs": 2 }.');
    return;
  }
  const r = value as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (key !== "scratchDirectory" && key !== "parallelJobs") problems.add(`restore.${key}`, r[key], "is not a restore setting; the settings are scratchDirectory and parallelJobs.");
  }
  if (r.scratchDirectory !== undefined && (typeof r.scratchDirectory !== "string" || !r.scratchDirectory.startsWith("/"))) {
    problems.add("restore.scratchDirectory", r.scratchDirectory, 'must be an absolute directory path, such as "/tmp" or "/mnt/scratch".');
  }
  if (r.parallelJobs !== undefined && (typeof r.parallelJobs !== "number" || !Number.isInteger(r.parallelJobs) || r.parallelJobs < 1 || r.parallelJobs > MAX_RESTORE_JOBS)) {
    problems.add("restore.parallelJobs", r.parallelJobs, `must be a whole number from 1 to ${MAX_RESTORE_JOBS} (1 streams the archive in one transaction).`);
  }
}

/** How a PostgreSQL restore reads its archive. */
export type RestorePath = "parallel" | "stream";

/** What decides the path of a PostgreSQL restore. */
export interface RestorePathInput {
  /** The manifest's `format`. */
  readonly format: string;
  /** The manifest's `contentBytes`: the archive's size after decompression. */
  readonly contentBytes?: number;
  readonly jobs: number;
  readonly scratchDirectory: string;
  /** Bytes free for this user in the scratch directory; undefined when it cannot be used. */
  readonly freeBytes?: number;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * Parallel (`pg_restore -j` from a verified file in scratch space) when the archive fits, else
 * streaming in one transaction, with the reason either way.
 */
export function chooseRestorePath(input: RestorePathInput): { readonly path: RestorePath; readonly reason: string } {
  const stream = (reason: string) => ({ path: "stream" as const, reason: `${reason}; streaming the archive into pg_restore in one transaction` });
  if (input.jobs <= 1) return stream("restore.parallelJobs is 1");
  if (input.format !== "pg_dump-custom") return stream(`the archive's format (${input.format}) cannot be restored in parallel`);
  if (input.contentBytes === undefined) return stream("the manifest does not record the archive's size (the backup predates it), so scratch space cannot be checked");
  if (input.freeBytes === undefined) return stream(`the scratch directory ${input.scratchDirectory} cannot be used`);
  const needed = input.contentBytes + SCRATCH_HEADROOM_BYTES;
  if (input.freeBytes < needed) return stream(`the scratch directory ${input.scratchDirectory} has ${mb(input.freeBytes)} free; the archive needs ${mb(input.contentBytes)} plus ${mb(SCRATCH_HEADROOM_BYTES)} headroom`);
  return { path: "parallel", reason: `the archive (${mb(input.contentBytes)}) fits in ${input.scratchDirectory} (${mb(input.freeBytes)} free): pg_restore -j ${input.jobs} from a file whose SHA-256 was checked first` };
}
