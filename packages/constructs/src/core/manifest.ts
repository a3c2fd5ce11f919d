import { Problems } from "./errors";
import { TIERS, type Tier } from "./retention";
import { COMPANIONS, parseBackupKey, SOURCE_KINDS, type CompanionRole, type SourceKind } from "./vault-layout";

/** The manifest's schema version; a reader refuses versions it does not know. */
export const MANIFEST_SCHEMA_VERSION = 1;

export type Compression = "zstd" | "gzip" | "none";

/** A table captured by a database backup, with its row count at dump time. */
export interface ManifestTable {
  readonly schema: string;
  readonly name: string;
  readonly rows: number;
}

/**
 * A second object of a backup's artifact set, stored next to the artifact (`<stem>.roles.sql`).
 * The set is complete only when every companion the manifest lists is stored with its size.
 */
export interface ManifestCompanion {
  /** What it holds: `roles`, the roles a PostgreSQL database references, as SQL. */
  readonly role: CompanionRole;
  readonly key: string;
  /** Its format: `pg_dumpall-roles` (statements of `pg_dumpall --roles-only --no-role-passwords`). */
  readonly format: string;
  /** Bytes stored. */
  readonly sizeBytes: number;
  /** SHA-256 (hex) of the stored bytes. */
  readonly sha256: string;
}

/**
 * The roles a PostgreSQL database references, by how; a restore with owners and privileges needs
 * each of them on the target server. `captured` are the ones the `roles` companion can recreate:
 * referenced roles and their members, never superusers, system roles or the connecting user.
 */
export interface ManifestRoles {
  /** Roles owning objects (restored unless `--no-owner`). */
  readonly owners: readonly string[];
  /** Roles in privileges and default privileges (restored unless `--no-privileges`). */
  readonly grantees: readonly string[];
  /** Roles named by row-level security policies (always restored: a policy is part of its table). */
  readonly policies: readonly string[];
  readonly captured: readonly string[];
}

/**
 * The manifest of one complete backup, written last, next to its artifact. It is what verification
 * checks the artifact against and what restore trusts.
 */
export interface BackupManifest {
  readonly schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  readonly source: string;
  readonly kind: SourceKind;
  /** The artifact's key in the vault. */
  readonly artifactKey: string;
  /** The artifact's format before compression: `pg_dump-custom`, `redis-rdb`, `objects-index`. */
  readonly format: string;
  readonly compression: Compression;
  /** ISO 8601 UTC. `startedAt` is the backup's point in time and is in the keys. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Bytes stored in the vault (after compression). */
  readonly sizeBytes: number;
  /** SHA-256 (hex) of the stored bytes. */
  readonly sha256: string;
  readonly tier: Tier;
  readonly tool: { readonly name: string; readonly version: string };
  readonly server?: { readonly version: string };
  /** For databases: every table with its row count. */
  readonly tables?: readonly ManifestTable[];
  /**
   * Set when the job stored the artifact without reading its contents, because it is in a format
   * version the job's reader does not know (a newer pg_dump or Redis): it is verified by size,
   * checksum and the tool's own listing only, and `tables` is absent.
   * @default - the contents were read and checked while streaming
   */
  readonly contentsNotInspected?: { readonly reason: string };
  /** For object sources: what the copy found and did. */
  readonly objects?: { readonly count: number; readonly bytes: number; readonly copied: number; readonly skipped: number };
  /** The other objects of the artifact set (PostgreSQL: the roles). @default - none (backups before companions) */
  readonly companions?: readonly ManifestCompanion[];
  /** For PostgreSQL: the roles the database references. @default - not recorded (backups before role capture) */
  readonly roles?: ManifestRoles;
  /** Bytes of the artifact after decompression (PostgreSQL: the archive pg_restore reads). @default - not recorded */
  readonly contentBytes?: number;
  /**
   * SHA-256 (hex) of the artifact after decompression (PostgreSQL: the archive), so a restore can check
   * the copy it wrote to scratch space byte for byte. @default - not recorded
   */
  readonly contentSha256?: string;
  /**
   * How the data was read. Absent means a point-in-time snapshot (pg_dump, Redis `SYNC`). A copy
   * taken key by key (`SCAN` + `DUMP`) says `pointInTime: false`: keys changed while it ran may be
   * from different moments.
   */
  readonly capture?: { readonly method: string; readonly pointInTime: boolean; readonly note?: string };
  /** For file sources: every entry of the archive, in archive order. */
  readonly files?: ManifestFiles;
  /**
   * Set when the artifact, its companions and its object copies are encrypted client-side: then
   * `sizeBytes` and `sha256` (and each companion's) are the ciphertext's, checkable without a key.
   * @default - not encrypted by the job (the vault's own encryption only)
   */
  readonly encryption?: ManifestEncryption;
}

/** How a backup was encrypted client-side. */
export interface ManifestEncryption {
  /** `age`: the age v1 format (https://age-encryption.org/v1), decrypted by `age -d` too. */
  readonly scheme: "age";
  /** The recipients (public keys, `age1...`) it was encrypted to; the identity of any one decrypts it. */
  readonly recipients: readonly string[];
  /** Bytes before encryption (the compressed artifact). */
  readonly plaintextBytes: number;
}

/** One entry of a files backup. */
export interface ManifestFile {
  /** Relative to the source's path, `/`-separated; directories end without a slash. */
  readonly path: string;
  readonly type: "file" | "directory" | "symlink";
  /** Permission bits, as a number (0o644 = 420). */
  readonly mode: number;
  /** Modification time, ISO 8601 UTC. */
  readonly mtime: string;
  /** Files: size in bytes. */
  readonly size?: number;
  /** Files: SHA-256 (hex) of the content. */
  readonly sha256?: string;
  /** Symlinks: where the link points, as stored. */
  readonly target?: string;
}

/** What a files backup captured. */
export interface ManifestFiles {
  readonly count: number;
  /** Bytes of file content before compression. */
  readonly bytes: number;
  readonly entries: readonly ManifestFile[];
  /** Paths that changed while they were read, or vanished before: the archive may hold a mix for them. */
  readonly changedDuringBackup?: readonly string[];
  /** The patterns that were excluded. */
  readonly exclude?: readonly string[];
}

const SHA256 = /^[0-9a-f]{64}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * Checks that `value` (parsed JSON) is a manifest this version understands, consistent with its own
 * keys. Returns every problem; an empty list means the manifest can be trusted as a record.
 */
export function manifestProblems(value: unknown): string[] {
  const problems = new Problems();
  if (typeof value !== "object" || value === null || Array.isArray(value)) return ["the manifest is not a JSON object"];
  const m = value as Record<string, unknown>;
  if (m.schemaVersion !== MANIFEST_SCHEMA_VERSION) problems.add("schemaVersion", m.schemaVersion, `must be ${MANIFEST_SCHEMA_VERSION}; this reader does not know other versions.`);
  if (typeof m.source !== "string") problems.add("source", m.source, "must be the source's name.");
  if (!SOURCE_KINDS.includes(m.kind as SourceKind)) problems.add("kind", m.kind, `must be one of ${SOURCE_KINDS.join(", ")}.`);
  const parsed = typeof m.artifactKey === "string" ? parseBackupKey(m.artifactKey) : undefined;
  if (!parsed || parsed.isManifest) problems.add("artifactKey", m.artifactKey, "must be an artifact key of the vault layout.");
  else if (parsed.source !== m.source) problems.add("artifactKey", m.artifactKey, `belongs to source ${parsed.source}, not ${String(m.source)}.`);
  for (const field of ["startedAt", "finishedAt"] as const) {
    if (typeof m[field] !== "string" || !ISO.test(m[field] as string)) problems.add(field, m[field], "must be an ISO 8601 UTC time.");
  }
  if (parsed && typeof m.startedAt === "string" && ISO.test(m.startedAt) && Math.floor(Date.parse(m.startedAt) / 1000) !== parsed.startedAt.getTime() / 1000) {
    problems.add("startedAt", m.startedAt, `does not match the artifact key's time (${parsed.startedAt.toISOString()}).`);
  }
  if (typeof m.sizeBytes !== "number" || !Number.isInteger(m.sizeBytes) || m.sizeBytes < 0) problems.add("sizeBytes", m.sizeBytes, "must be a whole number of bytes.");
  if (typeof m.sha256 !== "string" || !SHA256.test(m.sha256)) problems.add("sha256", m.sha256, "must be 64 lowercase hex digits.");
  if (!TIERS.includes(m.tier as Tier)) problems.add("tier", m.tier, `must be one of ${TIERS.join(", ")}.`);
  if (!["zstd", "gzip", "none"].includes(m.compression as string)) problems.add("compression", m.compression, "must be zstd, gzip or none.");
  if (typeof m.format !== "string") problems.add("format", m.format, "must name the artifact's format.");
  const tool = m.tool as Record<string, unknown> | undefined;
  if (typeof tool?.name !== "string" || typeof tool?.version !== "string") problems.add("tool", m.tool, "must name the tool and its version.");
  if (m.tables !== undefined) {
    if (!Array.isArray(m.tables)) problems.add("tables", m.tables, "must be a list.");
    else m.tables.forEach((t: any, i: number) => {
      if (typeof t?.schema !== "string" || typeof t?.name !== "string" || !Number.isInteger(t?.rows) || t.rows < 0) problems.add(`tables[${i}]`, t, "must be { schema, name, rows }.");
    });
  }
  if (m.contentBytes !== undefined && (typeof m.contentBytes !== "number" || !Number.isInteger(m.contentBytes) || m.contentBytes < 0)) problems.add("contentBytes", m.contentBytes, "must be a whole number of bytes.");
  if (m.contentSha256 !== undefined && (typeof m.contentSha256 !== "string" || !SHA256.test(m.contentSha256))) problems.add("contentSha256", m.contentSha256, "must be 64 lowercase hex digits.");
  if (m.companions !== undefined) {
    if (!Array.isArray(m.companions)) problems.add("companions", m.companions, "must be a list.");
    else m.companions.forEach((c: any, i: number) => {
      const key = typeof c?.key === "string" ? parseBackupKey(c.key) : undefined;
      if (!COMPANIONS[c?.role as CompanionRole]) problems.add(`companions[${i}].role`, c?.role, `must be one of ${Object.keys(COMPANIONS).join(", ")}.`);
      else if (!key || key.companion !== c.role || !parsed || key.stem !== parsed.stem) problems.add(`companions[${i}].key`, c?.key, `must be the ${c.role} key next to the artifact.`);
      if (typeof c?.format !== "string") problems.add(`companions[${i}].format`, c?.format, "must name its format.");
      if (!Number.isInteger(c?.sizeBytes) || c.sizeBytes < 0) problems.add(`companions[${i}].sizeBytes`, c?.sizeBytes, "must be a whole number of bytes.");
      if (typeof c?.sha256 !== "string" || !SHA256.test(c.sha256)) problems.add(`companions[${i}].sha256`, c?.sha256, "must be 64 lowercase hex digits.");
    });
  }
  if (m.roles !== undefined) {
    const r = m.roles as Record<string, unknown>;
    for (const field of ["owners", "grantees", "policies", "captured"]) {
      if (!Array.isArray(r?.[field]) || !(r[field] as unknown[]).every((n) => typeof n === "string")) problems.add(`roles.${field}`, r?.[field], "must be a list of role names.");
    }
  }
  if (m.contentsNotInspected !== undefined) {
    const c = m.contentsNotInspected as Record<string, unknown> | null;
    if (typeof c !== "object" || c === null || typeof c.reason !== "string" || c.reason === "") problems.add("contentsNotInspected", JSON.stringify(c), "must be { reason } saying why the contents were not read.");
  }
  if (m.files !== undefined) {
    const files = m.files as Record<string, unknown>;
    if (typeof files !== "object" || files === null || !Array.isArray(files.entries)) problems.add("files", m.files, "must be { count, bytes, entries: [...] }.");
    else files.entries.forEach((e: any, i: number) => {
      if (typeof e?.path !== "string" || !["file", "directory", "symlink"].includes(e?.type) || (e.type === "file" && (typeof e.sha256 !== "string" || !SHA256.test(e.sha256) || !Number.isInteger(e.size)))) problems.add(`files.entries[${i}]`, e, "must be { path, type, mode, mtime } with size and sha256 for a file.");
    });
  }
  if (m.encryption !== undefined) {
    const e = m.encryption as Record<string, unknown> | null;
    if (typeof e !== "object" || e === null || e.scheme !== "age" || !Array.isArray(e.recipients) || e.recipients.length === 0 || !e.recipients.every((r) => typeof r === "string" && r.startsWith("age1")) || !Number.isInteger(e.plaintextBytes)) {
      problems.add("encryption", JSON.stringify(e), 'must be { scheme: "age", recipients: ["age1..."], plaintextBytes } when present.');
    }
  }
  if (m.capture !== undefined && (typeof (m.capture as any)?.method !== "string" || typeof (m.capture as any)?.pointInTime !== "boolean")) problems.add("capture", m.capture, "must be { method, pointInTime } when present.");
  return problems.all.map((p) => `\`${p.argument}\` (${p.value}) ${p.message}`);
}
