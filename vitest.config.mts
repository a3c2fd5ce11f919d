import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources through the "lifeboat-source" export
// condition, so tests never run stale build output.
const conditions = ["lifeboat-source", "node", "import", "require", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["lifeboat-source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "lambda-src/test/**/*.test.ts", "examples/*/test/**/*.test.ts", "test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
