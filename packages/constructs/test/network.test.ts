import { describe, expect, it } from "vitest";
import { checkJobNetworkRoutes, checkReachability, Problems } from "@lifeboat/constructs/core";

const replicaCheck = [
  { service: "s3" as const, why: "read backups from the vault" },
  { service: "s3" as const, region: "us-west-2", why: "check the copy in the replica vault" },
];

describe("checkReachability", () => {
  it("refuses a job in a VPC whose only S3 route is a gateway endpoint when it must reach S3 in the DR region", () => {
    const problems = new Problems();

    checkReachability("verify", { vpc: true, region: "us-east-1", routes: { endpoints: ["s3", "secretsmanager"] } }, replicaCheck, "jobs.vpc", problems);

    expect(problems.all.map((p) => p.message)).toEqual([expect.stringContaining("leaves the job verify no route to s3 in us-west-2, which it needs to check the copy in the replica vault")]);
    expect(problems.all[0]?.message).toContain("`jobs.vpc.nat: true`");
  });

  it("accepts the same job behind a NAT gateway, or outside any VPC", () => {
    const problems = new Problems();

    checkReachability("verify", { vpc: true, region: "us-east-1", routes: { nat: true } }, replicaCheck, "jobs.vpc", problems);
    checkReachability("verify", { vpc: false }, replicaCheck, "jobs.vpc", problems);

    expect(problems.all).toEqual([]);
  });

  it("names the endpoint a job lacks in its own region", () => {
    const problems = new Problems();

    checkReachability("postgres-main-backup", { vpc: true, routes: { endpoints: ["s3"] } }, [{ service: "secretsmanager", why: "read the database credentials" }], "jobs.vpc", problems);

    expect(problems.all[0]?.message).toContain("add an endpoint for secretsmanager to the VPC and list it in `jobs.vpc.endpoints`");
  });
});

describe("checkJobNetworkRoutes", () => {
  it("refuses a VPC that says neither nat nor endpoints, and an unknown service", () => {
    const problems = new Problems();

    checkJobNetworkRoutes(undefined, "jobs.vpc", problems);
    checkJobNetworkRoutes({ endpoints: ["dynamodb" as never] }, "jobs.vpc", problems);

    expect(problems.all.map((p) => p.argument)).toEqual(["jobs.vpc", "jobs.vpc.endpoints[0]"]);
  });
});
