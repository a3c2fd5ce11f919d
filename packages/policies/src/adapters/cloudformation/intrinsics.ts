/** Pseudo parameters with a value that does not depend on the deployment. */
const PSEUDO: Readonly<Record<string, string>> = { "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com" };

/** What intrinsic functions resolve against. */
export interface IntrinsicContext {
  /** The stack's region, when known (a CDK stack with an explicit environment). */
  readonly region?: string;
  /** Parameter name → default value. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/**
 * Replaces intrinsic functions with text a rule can compare: `Ref` to a resource reads `${Id}`,
 * `Fn::GetAtt` reads `${Id.Attribute}`, `Fn::Sub` and `Fn::Join` are expanded. Functions that
 * cannot be resolved offline (`Fn::If`, `Fn::ImportValue`, ...) read as `${?}`.
 */
export function resolveIntrinsics(value: unknown, ctx: IntrinsicContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, ctx));
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1) {
    const [fn] = keys as [string];
    const arg = record[fn];
    switch (fn) {
      case "Ref":
        return resolveRef(String(arg), ctx);
      case "Fn::GetAtt": {
        const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.*)/s);
        return `\${${id}.${attribute}}`;
      }
      case "Fn::Join": {
        if (!Array.isArray(arg) || arg.length !== 2 || !Array.isArray(arg[1])) return "${?}";
        const parts = (arg[1] as unknown[]).map((v) => resolveIntrinsics(v, ctx));
        return parts.every((p) => typeof p === "string" || typeof p === "number") ? parts.join(String(arg[0])) : "${?}";
      }
      case "Fn::Sub": {
        const [template, vars] = Array.isArray(arg) ? [String(arg[0]), (arg[1] ?? {}) as Record<string, unknown>] : [String(arg), {}];
        return template.replace(/\$\{([^}!][^}]*)\}/g, (whole, name: string) => {
          if (name in vars) {
            const v = resolveIntrinsics(vars[name], ctx);
            return typeof v === "string" || typeof v === "number" ? String(v) : whole;
          }
          return name.includes(".") ? whole : resolveRef(name, ctx);
        });
      }
      case "Fn::If":
      case "Fn::ImportValue":
      case "Fn::FindInMap":
      case "Fn::Select":
      case "Fn::Split":
      case "Fn::GetAZs":
      case "Fn::Base64":
      case "Fn::Cidr":
        return "${?}";
      default:
        break;
    }
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, resolveIntrinsics(v, ctx)]));
}

function resolveRef(name: string, ctx: IntrinsicContext): string {
  if (name in PSEUDO) return PSEUDO[name] as string;
  if (name === "AWS::Region" && ctx.region) return ctx.region;
  const def = ctx.parameters[name];
  if (typeof def === "string" || typeof def === "number") return String(def);
  return `\${${name}}`;
}

/** The logical id a resolved reference names: `${Id}` or `${Id.Attribute}` → `Id`. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^\$\{([A-Za-z0-9]+)(?:\.[^}]*)?\}$/.exec(value);
  return match ? match[1] : undefined;
}

/** Every logical id a resolved value mentions anywhere (`${Id}` or `${Id.Attribute}`). */
export function mentionedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === "string") {
    for (const m of value.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[^}]*)?\}/g)) into.add(m[1] as string);
  } else if (Array.isArray(value)) {
    for (const v of value) mentionedIds(v, into);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) mentionedIds(v, into);
  }
  return into;
}

/** `true` when a resolved string still holds an unresolved function or parameter. */
export function isUnresolved(value: unknown): boolean {
  return typeof value === "string" && value.includes("${?}");
}
