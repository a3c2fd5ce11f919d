import { Problems } from "../errors";

/**
 * AWS services a job calls, each of which a VPC can reach through an endpoint of its own region. A
 * Fargate task also needs ECR's API and Docker endpoints (`ecr.api`, `ecr.dkr`) to pull the jobs
 * image, whose layers come from S3, and CloudWatch Logs (`logs`) for the awslogs driver.
 */
export type AwsService = "s3" | "secretsmanager" | "kms" | "sts" | "ecr.api" | "ecr.dkr" | "logs";

/** The AWS services Lifeboat's jobs call, for messages. */
export const AWS_SERVICES: readonly AwsService[] = ["s3", "secretsmanager", "kms", "sts", "ecr.api", "ecr.dkr", "logs"];

/** What a Fargate task in a VPC must reach before its command starts: the image and its log group. */
export const FARGATE_TASK_NEEDS: readonly ServiceNeed[] = [
  { service: "ecr.api", why: "pull the jobs image (ECR's API)" },
  { service: "ecr.dkr", why: "pull the jobs image (ECR's Docker registry)" },
  { service: "s3", why: "pull the jobs image's layers, which ECR stores in S3" },
  { service: "logs", why: "send its output to its log group (the awslogs driver)" },
];

/**
 * How a job's subnets reach AWS services. A VPC endpoint (S3 gateway or interface endpoint) serves
 * only its own region; reaching another region takes a NAT gateway (or running outside the VPC).
 *
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html
 */
export interface JobNetworkRoutes {
  /**
   * The subnets route to the internet through a NAT gateway: every AWS service in every region is reachable.
   * @default false
   */
  readonly nat?: boolean;
  /**
   * AWS services with an endpoint in the VPC (an S3 gateway endpoint, interface endpoints for
   * Secrets Manager, KMS, STS, and for Fargate tasks ECR `ecr.api` and `ecr.dkr` and CloudWatch
   * `logs`). Each serves only the VPC's own region.
   * @default - none
   */
  readonly endpoints?: readonly AwsService[];
}

/** Something a job must reach: a service in a region, and why. */
export interface ServiceNeed {
  readonly service: AwsService;
  /** `undefined`: the job's own region (the VPC's). */
  readonly region?: string;
  /** What the job does with it, for the message: "write backups to the vault". */
  readonly why: string;
}

/**
 * Where a job runs: outside any VPC (it reaches every AWS service over the internet), or in a VPC
 * whose routes are declared.
 */
export type JobNetworkPlacement = { readonly vpc: false } | { readonly vpc: true; readonly routes: JobNetworkRoutes; readonly region?: string };

/**
 * Checks the routes a job's VPC declares: `nat` a boolean, `endpoints` known services, and at least
 * one of them given (a VPC with neither cannot reach anything Lifeboat's jobs call).
 */
export function checkJobNetworkRoutes(routes: JobNetworkRoutes | undefined, argument: string, problems: Problems): JobNetworkRoutes | undefined {
  const before = problems.all.length;
  const nat = routes?.nat;
  const endpoints = routes?.endpoints;
  if (nat !== undefined && typeof nat !== "boolean") problems.add(`${argument}.nat`, nat, "must be true (the subnets route through a NAT gateway) or false.");
  if (endpoints !== undefined && !Array.isArray(endpoints)) problems.add(`${argument}.endpoints`, endpoints, `must list services with an endpoint in the VPC: ${AWS_SERVICES.join(", ")}.`);
  (Array.isArray(endpoints) ? endpoints : []).forEach((e, i) => {
    if (!AWS_SERVICES.includes(e)) problems.add(`${argument}.endpoints[${i}]`, e, `is not a service Lifeboat's jobs call; use ${AWS_SERVICES.join(", ")}.`);
  });
  if (nat === undefined && endpoints === undefined) {
    problems.add(
      argument,
      "no nat and no endpoints",
      'must say how jobs in the VPC reach AWS: `nat: true` when the subnets route through a NAT gateway, or `endpoints: ["s3", "secretsmanager"]` for the VPC endpoints they have (each serves only the VPC\'s region).',
    );
  }
  return problems.all.length > before ? undefined : { nat: nat ?? false, endpoints: endpoints ?? [] };
}

/**
 * Records a problem for every need a job's placement cannot reach: a job in a VPC reaches a service
 * in its own region through an endpoint or NAT, and another region only through NAT. A job outside
 * a VPC reaches every AWS service.
 */
export function checkReachability(job: string, placement: JobNetworkPlacement, needs: readonly ServiceNeed[], argument: string, problems: Problems): void {
  if (!placement.vpc) return;
  const { routes } = placement;
  if (routes.nat) return;
  const endpoints = routes.endpoints ?? [];
  for (const need of needs) {
    const local = need.region === undefined || (placement.region !== undefined && need.region === placement.region);
    if (local && endpoints.includes(need.service)) continue;
    const where = local ? "in the VPC's region" : `in ${need.region}`;
    const fix = local
      ? `add an endpoint for ${need.service} to the VPC and list it in \`${argument}.endpoints\`, or route the subnets through a NAT gateway and set \`${argument}.nat: true\``
      : `an endpoint in the VPC serves only its own region, so route the subnets through a NAT gateway and set \`${argument}.nat: true\`, or run the job outside the VPC`;
    problems.add(`${argument}.endpoints`, [...endpoints], `leaves the job ${job} no route to ${need.service} ${where}, which it needs to ${need.why}: ${fix}.`);
  }
}
