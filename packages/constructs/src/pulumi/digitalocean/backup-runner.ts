import * as pulumi from "@pulumi/pulumi";
import { Droplet } from "@pulumi/digitalocean/droplet";
import { Firewall } from "@pulumi/digitalocean/firewall";
import { Problems } from "../../core";
import type { EstatePlan } from "../../core";
import { type BackupRunnerDesign, type BackupRunnerSettings, checkBackupRunner, type RunnerFiles, runnerUserData } from "../../core/digitalocean";

/** Arguments of a {@link BackupRunner}. */
export interface BackupRunnerArgs extends BackupRunnerSettings {
  readonly region: string;
  /** The estate's plan: the jobs and their schedules come from it. */
  readonly plan: EstatePlan;
  /** The jobs' configuration and secrets (the secrets as secret outputs). */
  readonly files: pulumi.Input<RunnerFiles>;
  /** Whether an off-site vault is configured (`files.offsite`). @default false */
  readonly offsite?: boolean;
  /** The runner's design, when an estate decided it (with the drills its health endpoint watches). @default - decided from these arguments */
  readonly design?: BackupRunnerDesign;
}

/**
 * The backup runner: a small Debian droplet whose cloud-init installs Node.js and `@lifeboat/jobs`
 * from npm (pinned), the PostgreSQL client tools of the servers' major and zstd, then runs every
 * backup and verification on systemd timers derived from the objectives, and serves the backup
 * health endpoint. DigitalOcean's Pulumi provider has no scheduled-job resource; this is the
 * scheduler. Its user data (configuration and secrets) is a secret in the state; a cloud firewall
 * lets in only the health endpoint.
 *
 * @example
 * const runner = new BackupRunner("backups", { region: "nyc3", plan, files });
 */
export class BackupRunner extends pulumi.ComponentResource {
  readonly droplet: Droplet;
  readonly firewall: Firewall;
  readonly design: BackupRunnerDesign;
  /** `http://<ip>:<port>/healthz`. */
  readonly healthUrl: pulumi.Output<string>;

  constructor(name: string, args: BackupRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = new Problems();
    const design = args.design ?? checkBackupRunner(args, args.plan, args.offsite ?? false, problems);
    problems.throwIfAny(`BackupRunner "${name}"`);
    super("lifeboat:digitalocean:BackupRunner", name, {}, opts);
    this.design = design as BackupRunnerDesign;
    ({ droplet: this.droplet, firewall: this.firewall } = runnerDroplet(this, name, "lifeboat-runner", this.design, args.files));
    this.healthUrl = pulumi.interpolate`http://${this.droplet.ipv4Address}:${this.design.healthPort}${this.design.healthPath}`;
    this.registerOutputs({ healthUrl: this.healthUrl });
  }
}

/** A runner's droplet (user data a secret) and its cloud firewall, children of `parent`, from a runner design. */
export function runnerDroplet(parent: pulumi.Resource, name: string, suffix: string, design: BackupRunnerDesign, files: pulumi.Input<RunnerFiles>): { droplet: Droplet; firewall: Firewall } {
  const d = design.droplet;
  const droplet = new Droplet(
    `${name}-droplet`,
    {
      name: `${name}-${suffix}`,
      region: d.region,
      size: d.size,
      image: d.image,
      monitoring: d.monitoring,
      ipv6: d.ipv6,
      tags: [...d.tags],
      userData: pulumi.secret(pulumi.output(files).apply((f) => runnerUserData(design, f as RunnerFiles))),
    },
    { parent },
  );
  const rule = (r: BackupRunnerDesign["firewall"]["inbound"][number], dir: "source" | "destination") => ({ protocol: r.protocol, ...(r.portRange ? { portRange: r.portRange } : {}), [`${dir}Addresses`]: [...r.addresses] });
  const firewall = new Firewall(
    `${name}-firewall`,
    { name: `${name}-${suffix}`, dropletIds: [droplet.id.apply(Number)], inboundRules: design.firewall.inbound.map((r) => rule(r, "source")), outboundRules: design.firewall.outbound.map((r) => rule(r, "destination")) },
    { parent },
  );
  return { droplet, firewall };
}
