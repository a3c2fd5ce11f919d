import type { BackupManifest } from "@lifeboat/constructs/core";
import { readFile } from "node:fs/promises";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { JobContext } from "../context";
import { resolveCredentials } from "../credentials";
import type { Codec } from "./compression";
import { describeError, JobError } from "./errors";
import { registerSecret } from "./redact";

// age-encryption is an ES module; the jobs compile to CommonJS, and a dynamic import loads it on
// every Node the jobs support (require of an ES module needs Node 20.19 or 22.12).
type AgeModule = typeof import("age-encryption", { with: { "resolution-mode": "import" } });
let age: Promise<AgeModule> | undefined;
const loadAge = (): Promise<AgeModule> => (age ??= import("age-encryption"));

/** The environment variable holding age identities (the text `age-keygen` writes). */
export const AGE_IDENTITY_ENV = "LIFEBOAT_AGE_IDENTITY";
/** The environment variable naming a file of age identities. */
export const AGE_IDENTITY_FILE_ENV = "LIFEBOAT_AGE_IDENTITY_FILE";

/** The content type of an age-encrypted object. */
export const AGE_CONTENT_TYPE = "application/octet-stream";

/** Buffered between the encryption or decryption and its neighbours: a few of age's 64 KiB chunks. */
const HIGH_WATER_MARK = 256 * 1024;

/** The age identities a restore decrypts with, the recipients they answer to, and where they came from. */
export interface AgeIdentities {
  readonly identities: readonly string[];
  readonly recipients: readonly string[];
  /** Where they were read from, for messages: `LIFEBOAT_AGE_IDENTITY`, a file, a secret. */
  readonly from: string;
}

/** A Node stream as a web stream that reads only when asked (no read-ahead beyond one chunk). */
function pullFrom(input: Readable): WebReadableStream<Uint8Array> {
  const chunks = input[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value as Buffer);
      },
      cancel(reason) {
        input.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 0 },
  ) as WebReadableStream<Uint8Array>;
}

/** Pipes a web stream into `output`, ending or failing it. */
function drainInto(web: WebReadableStream<Uint8Array>, output: PassThrough): Promise<void> {
  return pipeline(Readable.fromWeb(web, { highWaterMark: HIGH_WATER_MARK }), output);
}

/**
 * Encrypts `input` to age `recipients` as it streams: the age v1 format (X25519 stanzas, 64 KiB
 * ChaCha20-Poly1305 chunks), readable with `age -d -i <identity>`. Memory stays a few chunks
 * whatever the size. An error of `input` fails the output; destroying the output stops `input`.
 */
export function encryptStream(input: Readable, recipients: readonly string[]): Readable {
  const output = new PassThrough({ highWaterMark: HIGH_WATER_MARK });
  (async () => {
    const { Encrypter } = await loadAge();
    const encrypter = new Encrypter();
    for (const r of recipients) encrypter.addRecipient(r);
    const encrypted = await encrypter.encrypt(pullFrom(input) as unknown as ReadableStream<Uint8Array>);
    await drainInto(encrypted as unknown as WebReadableStream<Uint8Array>, output);
  })().catch((error: unknown) => {
    input.destroy();
    output.destroy(error instanceof JobError ? error : new JobError(`Encrypting to the age recipients failed: ${describeError(error)}.`, { cause: error }));
  });
  return output;
}

/** Encrypts a small buffer (a companion) to age `recipients`. */
export async function encryptBuffer(body: Buffer, recipients: readonly string[]): Promise<Buffer> {
  const { Encrypter } = await loadAge();
  const encrypter = new Encrypter();
  for (const r of recipients) encrypter.addRecipient(r);
  return Buffer.from(await encrypter.encrypt(body));
}

/** Decrypts a small buffer (a companion) with `keys`. */
export async function decryptBuffer(body: Buffer, keys: AgeIdentities, what: string): Promise<Buffer> {
  const { Decrypter } = await loadAge();
  const decrypter = new Decrypter();
  for (const i of keys.identities) decrypter.addIdentity(i);
  try {
    return Buffer.from(await decrypter.decrypt(body));
  } catch (error) {
    throw decryptionFailure(what, keys, error);
  }
}

function decryptionFailure(what: string, keys: AgeIdentities, error: unknown): JobError {
  return new JobError(`${what} does not decrypt with the identity from ${keys.from}: ${describeError(error)}.`, {
    cause: error,
    hint: "Its ciphertext was changed after the backup, or it was encrypted to other recipients; restore an earlier backup with --at, or give the identity of one of its recipients.",
  });
}

/**
 * A decryptor as a {@link Codec}: write age ciphertext to `input`, read the plaintext from
 * `output`. A changed byte fails the output at the chunk it is in (age authenticates every 64 KiB
 * chunk and the end), so a consumer never sees plaintext that was not authenticated before it.
 */
export function startDecryptor(keys: AgeIdentities, what: string): Codec {
  const input = new PassThrough({ highWaterMark: HIGH_WATER_MARK });
  const output = new PassThrough({ highWaterMark: HIGH_WATER_MARK });
  const done = (async () => {
    const { Decrypter } = await loadAge();
    const decrypter = new Decrypter();
    for (const i of keys.identities) decrypter.addIdentity(i);
    const plain = await decrypter.decrypt(pullFrom(input) as unknown as ReadableStream<Uint8Array>);
    await drainInto(plain as unknown as WebReadableStream<Uint8Array>, output);
  })().catch((error: unknown) => {
    const failure = error instanceof JobError ? error : decryptionFailure(what, keys, error);
    input.destroy(failure);
    output.destroy(failure);
    throw failure;
  });
  done.catch(() => undefined);
  // A caller that writes after a failure is told by `done` and the output, not by a stray error.
  input.on("error", () => undefined);
  return { input, output, done: () => done, stop: () => output.destroy() };
}

/** A decryptor feeding a decompressor, as one {@link Codec}. */
export function chainCodecs(first: Codec, second: Codec): Codec {
  first.output.pipe(second.input);
  first.output.once("error", (error) => second.input.destroy(error));
  const done = Promise.all([first.done(), second.done()]).then(() => undefined);
  done.catch(() => undefined);
  return { input: first.input, output: second.output, done: () => done, stop: () => (first.stop(), second.stop()) };
}

/**
 * The stored size of a plaintext's bytes once encrypted to `recipients`. Every X25519 stanza has
 * the same length, so the header's length depends on the recipients only.
 */
export async function ageCiphertextSizer(recipients: readonly string[]): Promise<(plaintextBytes: number) => number> {
  const { Encrypter } = await loadAge();
  const encrypter = new Encrypter();
  for (const r of recipients) encrypter.addRecipient(r);
  const sized = await encrypter.encrypt(new ReadableStream<Uint8Array>({ start: (c) => c.close() }));
  await sized.cancel();
  return (plaintextBytes) => sized.size(plaintextBytes);
}

/**
 * Parses identities as `age-keygen` writes them (one `AGE-SECRET-KEY-1...` a line, `#` comments).
 * Every problem in one error, never echoing a key.
 */
async function parseIdentities(text: string, from: string): Promise<AgeIdentities> {
  const { identityToRecipient } = await loadAge();
  const problems: string[] = [];
  const identities: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(line)) identities.push(line);
    else if (/^age1/i.test(line)) problems.push(`line ${i + 1} is a recipient (a public key, "${line}"), not an identity: give the private key that \`age-keygen\` wrote (AGE-SECRET-KEY-1...), whose public key is in \`vault.encryption.ageRecipients\``);
    else problems.push(`line ${i + 1} is not an age identity (AGE-SECRET-KEY-1... or a # comment)`);
  });
  if (identities.length === 0 && problems.length === 0) problems.push("it holds no identity");
  const recipients: string[] = [];
  for (const identity of identities) {
    registerSecret(identity);
    try {
      recipients.push(await identityToRecipient(identity));
    } catch (error) {
      problems.push(`an identity does not parse (${describeError(error)})`);
    }
  }
  if (problems.length) throw new JobError(`The age identity from ${from} is not usable: ${problems.join("; ")}.`, { hint: `Set ${AGE_IDENTITY_ENV} to the identity, or ${AGE_IDENTITY_FILE_ENV} to a file holding it.` });
  return { identities, recipients, from };
}

/**
 * The age identities of this job, if any: `LIFEBOAT_AGE_IDENTITY` (the identity text), else the
 * file `LIFEBOAT_AGE_IDENTITY_FILE` names, else the secret `vault.encryption.identitySecretArn`.
 * They are registered for redaction before anything else is done with them.
 */
export async function loadAgeIdentities(env: NodeJS.ProcessEnv, identitySecretArn?: string): Promise<AgeIdentities | undefined> {
  const inline = env[AGE_IDENTITY_ENV];
  if (inline !== undefined && inline.trim() !== "") {
    registerSecret(inline.trim());
    return parseIdentities(inline, AGE_IDENTITY_ENV);
  }
  const file = env[AGE_IDENTITY_FILE_ENV];
  if (file !== undefined && file !== "") {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new JobError(`The age identity file ${file} (${AGE_IDENTITY_FILE_ENV}) cannot be read: ${describeError(error)}.`, { hint: "Point it at the file `age-keygen -o` wrote." });
    }
    return parseIdentities(text, `${file} (${AGE_IDENTITY_FILE_ENV})`);
  }
  if (identitySecretArn) {
    const secret = await resolveCredentials({ secretArn: identitySecretArn }, "vault.encryption.identitySecretArn", env);
    return parseIdentities(secret?.fields.identity ?? secret?.password ?? "", `the secret ${identitySecretArn}`);
  }
  return undefined;
}

const loaded = new WeakMap<JobContext, Promise<AgeIdentities | undefined>>();

/** The job's age identities ({@link loadAgeIdentities}), read once per job. */
export function jobAgeIdentities(job: JobContext): Promise<AgeIdentities | undefined> {
  let keys = loaded.get(job);
  if (!keys) {
    keys = loadAgeIdentities(job.env, job.config.vault.encryption?.identitySecretArn);
    loaded.set(job, keys);
  }
  return keys;
}

/** What reading an encrypted backup needs said about its recipients. */
function recipientsText(manifest: BackupManifest): string {
  return (manifest.encryption?.recipients ?? []).join(", ");
}

/**
 * The identities that decrypt `manifest`'s backup: throws, naming the recipients and the fix, when
 * there is none or none of them is a recipient of the backup. Call before touching a target.
 */
export function identitiesFor(manifest: BackupManifest, keys: AgeIdentities | undefined): AgeIdentities {
  const wanted = manifest.encryption?.recipients ?? [];
  if (!keys) {
    throw new JobError(`The backup ${manifest.artifactKey} is encrypted to age recipients ${recipientsText(manifest)}, and no identity was given. The target was not touched.`, {
      hint: `Set ${AGE_IDENTITY_ENV} to the identity (the AGE-SECRET-KEY-1... line of the key file), or ${AGE_IDENTITY_FILE_ENV} (the command line's --identity-file) to the key file.`,
    });
  }
  if (!keys.recipients.some((r) => wanted.includes(r))) {
    throw new JobError(`The identity from ${keys.from} (public key ${keys.recipients.join(", ")}) is not a recipient of ${manifest.artifactKey}, which is encrypted to ${recipientsText(manifest)}. The target was not touched.`, {
      hint: "Give the identity whose public key is one of those recipients (`age-keygen -y <key file>` prints a key file's public key).",
    });
  }
  return keys;
}
