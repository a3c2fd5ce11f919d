/** One IAM policy statement with every field normalized to arrays. */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: string;
  /** `*` for everyone, otherwise the principals' values. */
  readonly principals: readonly string[];
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** `operator → key → values`, as in the document. */
  readonly conditions: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

const list = (value: unknown): string[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

/**
 * Reads a policy document (JSON text or an object) into statements; returns an error text instead
 * of throwing when the document is not one.
 */
export function readPolicyDocument(document: unknown): { statements: PolicyStatement[] } | { error: string } {
  let parsed: unknown = document;
  if (typeof document === "string") {
    try {
      parsed = JSON.parse(document);
    } catch (err) {
      return { error: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return { error: "not a policy document object" };
  const raw = (parsed as Record<string, unknown>).Statement;
  const statements = Array.isArray(raw) ? raw : raw !== undefined ? [raw] : [];
  return {
    statements: statements
      .filter((s): s is Record<string, unknown> => s !== null && typeof s === "object")
      .map((s) => {
        const principal = s.Principal;
        const principals = principal === "*" ? ["*"] : principal && typeof principal === "object" ? Object.values(principal as Record<string, unknown>).flatMap(list) : list(principal);
        const conditions: Record<string, Record<string, string[]>> = {};
        if (s.Condition && typeof s.Condition === "object") {
          for (const [operator, keys] of Object.entries(s.Condition as Record<string, unknown>)) {
            if (!keys || typeof keys !== "object") continue;
            conditions[operator] = Object.fromEntries(Object.entries(keys as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), list(v)]));
          }
        }
        return {
          ...(typeof s.Sid === "string" ? { sid: s.Sid } : {}),
          effect: String(s.Effect ?? ""),
          principals,
          actions: list(s.Action),
          resources: list(s.Resource),
          conditions,
        };
      }),
  };
}
