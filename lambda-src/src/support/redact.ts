/**
 * Secret values the jobs have loaded, so that no log line, error, manifest or metric repeats them.
 * Every credential read from Secrets Manager or the environment is registered here before use.
 */
const secrets = new Set<string>();

/** Registers a secret value; every later {@link redact} replaces it with `***`. */
export function registerSecret(value: string | undefined): void {
  // A one- or two-character "secret" would blank out ordinary text; such a password is no secret anyway.
  if (value !== undefined && value.length >= 3) secrets.add(value);
}

/**
 * Removes secrets from text: every registered value, the password of any URL
 * (`postgres://user:pw@host` → `postgres://user:***@host`), and any age identity (`AGE-SECRET-KEY-1...`).
 */
export function redact(text: string): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)[^@/?#\s]*@/gi, "$1***@");
  // An age identity is a secret wherever it turns up, registered or not.
  out = out.replace(/AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+/g, "AGE-SECRET-KEY-***");
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join("***");
  return out;
}
