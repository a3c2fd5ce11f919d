import ts from "typescript";

/** How a user's strict Node 16 project compiles: the packages' sources through the workspace condition, nothing emitted. */
export const USER_COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  customConditions: ["lifeboat-source"],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ["node"],
};

/** A compiler host that finds the files of `virtual` (path to text) before the disk's; the map may grow between programs. */
export function virtualHost(virtual: Map<string, string>, options: ts.CompilerOptions = USER_COMPILER_OPTIONS): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => virtual.get(name) ?? readFile(name);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => virtual.has(name) || fileExists(name);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, create) => (virtual.has(name) ? ts.createSourceFile(name, virtual.get(name)!, language) : getSourceFile(name, language, onError, create));
  return host;
}
