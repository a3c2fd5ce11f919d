import type { Problems } from "../errors";

/** The CPU architecture a jobs image (lambda-src/Dockerfile) was built for. */
export type JobImageArchitecture = "x86_64" | "arm64";

/** The architectures a jobs image may be built for. */
export const JOB_IMAGE_ARCHITECTURES: readonly JobImageArchitecture[] = ["x86_64", "arm64"];

/**
 * The architecture of a jobs image whose code settings do not say: `docker build` on the usual CI
 * runner and workstation produces x86_64, and an image run on the other architecture fails to start.
 */
export const DEFAULT_JOB_IMAGE_ARCHITECTURE: JobImageArchitecture = "x86_64";

/** The jobs image's settings that decide where it can run. */
export interface JobImageSettings {
  /**
   * The CPU architecture the image was built for: Lambda functions and Fargate tasks run on it.
   * @default "x86_64"
   */
  readonly architecture?: JobImageArchitecture;
}

/** Where a jobs image runs: the Lambda function's architecture and the Fargate task's runtime platform. */
export interface JobImagePlatform {
  readonly architecture: JobImageArchitecture;
  /** Lambda `architectures` entry. */
  readonly lambdaArchitecture: JobImageArchitecture;
  /** ECS `runtimePlatform` of a Fargate task definition. */
  readonly fargateRuntimePlatform: { readonly operatingSystemFamily: "LINUX"; readonly cpuArchitecture: "X86_64" | "ARM64" };
}

/**
 * The platform a jobs image runs on, from its code settings: Lambda and Fargate both run it on the
 * architecture it was built for (x86_64 unless it says arm64). An architecture that is neither is
 * recorded under `argument`.
 */
export function jobImagePlatform(settings: JobImageSettings | undefined, problems: Problems, argument = "code.architecture"): JobImagePlatform {
  const given = settings?.architecture;
  if (given !== undefined && !JOB_IMAGE_ARCHITECTURES.includes(given)) {
    problems.add(argument, given, `is not an architecture Lambda and Fargate run: use ${JOB_IMAGE_ARCHITECTURES.map((a) => `"${a}"`).join(" or ")}, the one the jobs image was built for (docker build --platform linux/amd64 or linux/arm64).`);
  }
  const architecture = given === "arm64" ? "arm64" : DEFAULT_JOB_IMAGE_ARCHITECTURE;
  return {
    architecture,
    lambdaArchitecture: architecture,
    fargateRuntimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: architecture === "arm64" ? "ARM64" : "X86_64" },
  };
}
