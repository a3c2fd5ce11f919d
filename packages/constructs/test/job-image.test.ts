import { describe, expect, it } from "vitest";
import { jobImagePlatform, Problems } from "@lifeboat/constructs/core";

describe("jobImagePlatform", () => {
  it("runs a jobs image on x86_64 unless its code settings say arm64, for Lambda and Fargate alike", () => {
    const problems = new Problems();

    expect(jobImagePlatform(undefined, problems)).toEqual({ architecture: "x86_64", lambdaArchitecture: "x86_64", fargateRuntimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" } });
    expect(jobImagePlatform({ architecture: "arm64" }, problems)).toEqual({ architecture: "arm64", lambdaArchitecture: "arm64", fargateRuntimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" } });
    expect(problems.all).toEqual([]);
  });

  it("records an architecture neither Lambda nor Fargate runs under the argument it came from", () => {
    const problems = new Problems();
    jobImagePlatform({ architecture: "aarch64" as "arm64" }, problems, "jobs.code.architecture");

    expect(problems.all.map((p) => [p.argument, p.value])).toEqual([["jobs.code.architecture", '"aarch64"']]);
  });
});
