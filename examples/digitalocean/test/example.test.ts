import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type EstatePosture } from "@lifeboat/constructs/core";
import { loadExample } from "@lifeboat/preview";
import { evaluate, factsFromPulumi, fromRecorded, RULES } from "@lifeboat/policies";
import { type RecordedResource, type RecordedStack, recordProgram } from "@lifeboat/constructs/testing";

const example = loadExample(join(__dirname, ".."));
let stack: RecordedStack;

const find = (type: string, name: string) => {
  const found = stack.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found as RecordedResource;
};

beforeAll(async () => {
  stack = await recordProgram(example.entry, { project: example.project, stack: example.stack, config: example.config, cloud: { region: "us-east-1" } });
});

describe("examples/digitalocean under the mock engine", () => {
  it("protects managed PostgreSQL, managed Valkey and a Spaces uploads bucket with one estate that meets its objectives", () => {
    const posture = stack.outputs.posture as EstatePosture;

    expect(posture.objectives).toEqual({ rpoMinutes: 1440, rtoMinutes: 240, primaryRegion: "nyc3", drRegion: "sfo3" });
    expect(posture.sources.map((s) => [s.name, s.engine, s.objective.rpoMinutes, s.achieved.rpoMinutes, s.meetsObjectives])).toEqual([
      ["postgres-main", "do-managed", 1440, 5, true],
      ["cache", "do-managed", 60, 45, true],
      ["uploads", "spaces", 1440, 735, true],
    ]);
    expect(posture.restoreOrder).toEqual(["postgres-main", "cache", "uploads"]);
  });

  it("keeps dailies 30 days, weeklies 90 and monthlies a year under their tier prefixes in the Spaces vault", () => {
    const rules = find("digitalocean:index/spacesBucket:SpacesBucket", "prod-vault-bucket").inputs.lifecycleRules as any[];

    expect(rules.slice(0, 3).map((r) => [r.prefix, r.expiration.days])).toEqual([
      ["daily/", 30],
      ["weekly/", 90],
      ["monthly/", 365],
    ]);
  });

  it("copies off-site into an AWS replicated vault with credentials limited to the sources' prefixes, switched on by config", () => {
    const policy = JSON.parse(find("aws:iam/userPolicy:UserPolicy", "prod-offsite-writer-policy").inputs.policy as string);
    const write = policy.Statement.find((s: any) => s.Sid === "WriteBackups");

    expect(write.Action).toEqual(["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"]);
    expect(write.Resource.map((r: string) => r.replace(/^arn:aws:s3:::[^/]+/, ""))).toEqual(["/postgres-main/*", "/cache/*", "/uploads/*"]);
    expect(policy.Statement.flatMap((s: any) => s.Action)).not.toContain("s3:DeleteObject");
    expect(find("pulumi:providers:aws", "prod-offsite-replica-provider").inputs.region).toBe("us-west-2");
  });

  it("admits only the app and the runner to the databases and keeps a PostgreSQL replica in sfo3", () => {
    const app = find("digitalocean:index/app:App", "app");
    const runner = find("digitalocean:index/droplet:Droplet", "prod-runner-droplet");

    expect(find("digitalocean:index/databaseFirewall:DatabaseFirewall", "prod-postgres-main-firewall").inputs.rules).toEqual([
      { type: "app", value: app.id },
      { type: "droplet", value: runner.id },
    ]);
    expect(find("digitalocean:index/databaseReplica:DatabaseReplica", "prod-postgres-main-replica").inputs.region).toBe("sfo3");
    expect(find("digitalocean:index/databaseValkeyConfig:DatabaseValkeyConfig", "prod-cache-valkey-config").inputs.persistence).toBe("rdb");
    expect(runner.inputs.userData).toBe("[secret]");
  });

  it("restores with an age identity the stack never holds: the runbook's restores take it from a file", () => {
    const runbook = stack.outputs.runbook as string;

    expect(example.config[`${example.project}:ageRecipient`]).toMatch(/^age1/);
    expect(runbook).toMatch(/LIFEBOAT_AGE_IDENTITY_FILE=<path to the age identity> LIFEBOAT_CONFIG_FILE=\S+ lifeboat restore --source postgres-main/);
    expect(JSON.stringify(stack)).not.toContain("AGE-SECRET-KEY");
  });

  it("schedules no drill and creates no drill runner unless an identity is configured as a secret", () => {
    const posture = stack.outputs.posture as EstatePosture;

    expect(stack.resources.filter((r) => r.name.includes("drill-runner"))).toEqual([]);
    expect(posture.sources[0]!.notes.join("\n")).toContain("No restore drill is scheduled");
  });

  it("passes the policy pack with no findings", () => {
    const { findings } = evaluate(factsFromPulumi(stack.resources.map(fromRecorded)), RULES);

    expect(findings).toEqual([]);
  });

  it("writes a runbook with doctl and lifeboat restore commands, the dead-man's switch and a drill checklist", () => {
    const runbook = stack.outputs.runbook as string;

    expect(runbook).toContain("doctl databases create");
    expect(runbook).toContain("lifeboat restore --source cache --at latest");
    expect(runbook).toContain("Every alert is sent by DigitalOcean uptime alerts");
    expect(runbook).toContain("- Slack: #backups-oncall");
    expect(runbook).toContain("systemctl stop lifeboat-health.service");
    expect(runbook).toContain("```mermaid");
  });
});
