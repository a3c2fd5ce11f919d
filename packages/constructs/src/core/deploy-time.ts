/**
 * Whether a value is only known at deploy time: a Pulumi `Output` or promise (not a plain value),
 * or a CDK token (a string carrying `${Token[...]}`). Such values are not validated and not guessed.
 */
export function isDeployTimeValue(value: unknown): boolean {
  if (typeof value === "string") return value.includes("${Token[");
  if (typeof value === "number") return value === -1.8881545897087626e289; // CDK's encoded number token
  return value !== undefined && value !== null && typeof value === "object";
}

/** The value when it is known now, else `undefined`. */
export function knownString(value: unknown): string | undefined {
  return typeof value === "string" && !isDeployTimeValue(value) ? value : undefined;
}
