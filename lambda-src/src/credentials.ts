import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { CredentialsSource } from "@lifeboat/constructs/core";
import { describeError, JobError } from "./support/errors";
import { registerSecret } from "./support/redact";

/**
 * A credential resolved for use. `fields` holds what else a secret carried (the RDS secret format's
 * `host`, `port`, `dbname`). The values are registered for redaction before they are returned.
 */
export interface ResolvedCredentials {
  readonly username?: string;
  readonly password?: string;
  readonly fields: Readonly<Record<string, string>>;
}

let secretsClient: SecretsManagerClient | undefined;
const secretCache = new Map<string, Promise<Record<string, unknown>>>();

async function readSecret(secretArn: string): Promise<Record<string, unknown>> {
  secretsClient ??= new SecretsManagerClient({});
  const response = await secretsClient.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const text = response.SecretString;
  if (text === undefined) throw new JobError(`Secret ${secretArn} has no string value.`, { hint: 'Store it as JSON, such as {"username": "...", "password": "..."}.' });
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Not JSON: the plain value is the password.
  }
  return { password: text };
}

/**
 * Resolves where a credential comes from into its values: a Secrets Manager secret (JSON with
 * `username` and `password`, or `accessKeyId` and `secretAccessKey`), or the environment variables
 * the configuration names. `argument` names the setting in errors.
 */
export async function resolveCredentials(source: CredentialsSource | undefined, argument: string, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedCredentials | undefined> {
  if (source === undefined) return undefined;
  let values: Record<string, unknown>;
  if ("secretArn" in source) {
    let read = secretCache.get(source.secretArn);
    if (!read) {
      read = readSecret(source.secretArn);
      secretCache.set(source.secretArn, read);
      read.catch(() => secretCache.delete(source.secretArn));
    }
    try {
      values = await read;
    } catch (error) {
      throw new JobError(`Reading the secret ${source.secretArn} (\`${argument}.secretArn\`) failed: ${describeError(error)}.`, {
        cause: error,
        hint: "Check that it exists in the job's region and that the job's role may call secretsmanager:GetSecretValue on it.",
      });
    }
  } else {
    const missing = [source.env.password, source.env.username].filter((name): name is string => name !== undefined && !env[name]);
    if (missing.length > 0) {
      throw new JobError(`\`${argument}.env\` names environment variables that are not set: ${missing.join(", ")}.`, { hint: "Set them in the job's environment." });
    }
    values = { password: env[source.env.password], ...(source.env.username ? { username: env[source.env.username] } : {}) };
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) if (typeof value === "string" || typeof value === "number") fields[name] = String(value);
  const password = fields.password ?? fields.secretAccessKey;
  const username = fields.username ?? fields.accessKeyId;
  registerSecret(password);
  return { ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}), fields };
}
