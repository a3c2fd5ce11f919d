const cache = new Map<string, RegExp>();

/** `true` when `text` matches `pattern`, where `*` stands for any run of characters. */
export function matchesPattern(pattern: string, text: string, ignoreCase = false): boolean {
  const key = `${ignoreCase ? "i" : "s"}:${pattern}`;
  let regex = cache.get(key);
  if (!regex) {
    regex = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, ignoreCase ? "i" : "");
    cache.set(key, regex);
  }
  return regex.test(text);
}
