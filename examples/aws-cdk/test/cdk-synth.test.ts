import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const example = dirname(__dirname);
const out = mkdtempSync(join(tmpdir(), "lifeboat-cdk-synth-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The environment of a machine with no AWS credentials and no instance metadata. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_EC2_METADATA_DISABLED: "true", CDK_DISABLE_CLI_TELEMETRY: "true" };
  for (const name of Object.keys(env)) if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|DEFAULT_PROFILE)$/.test(name)) delete env[name];
  return env;
}

describe("examples/aws-cdk with the pinned aws-cdk CLI", () => {
  it("synthesizes both stacks offline, without credentials, and LifeboatPolicyPlugin finds nothing", () => {
    const cli = require.resolve("aws-cdk/bin/cdk", { paths: [example] });
    expect(JSON.parse(readFileSync(join(dirname(dirname(cli)), "package.json"), "utf8")).version).toBe("2.1148.1");
    const run = spawnSync(process.execPath, [cli, "synth", "--no-notices", "--quiet", "-o", out], { cwd: example, env: offlineEnv(), encoding: "utf8", timeout: 540_000 });
    expect(run.stderr + run.stdout).not.toMatch(/ERROR|lifeboat-dr::/);
    expect(run.status).toBe(0);
    for (const stack of ["LifeboatEstate", "LifeboatEstate-dr-us-west-2"]) expect(existsSync(join(out, `${stack}.template.json`))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { artifacts: Record<string, { environment?: string }> };
    expect(manifest.artifacts["LifeboatEstate-dr-us-west-2"]?.environment).toBe("aws://123456789012/us-west-2");
    expect(manifest.artifacts.LifeboatEstate?.environment).toBe("aws://123456789012/us-east-1");
  }, 600_000);
});
