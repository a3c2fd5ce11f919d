import * as pulumi from "@pulumi/pulumi";
import type { Droplet } from "@pulumi/digitalocean/droplet";
import type { Firewall } from "@pulumi/digitalocean/firewall";
import type { DoDrillsDesign, RunnerFiles } from "../../core/digitalocean";
import { runnerDroplet } from "./backup-runner";

/** Arguments of a {@link DrillRunner}. */
export interface DrillRunnerArgs {
  /** The estate's drill design (`designDigitalOceanEstate(...).drills`). */
  readonly design: DoDrillsDesign;
  /** The drills' configuration and secrets, the age identity among them: pass it as a secret output. */
  readonly files: pulumi.Input<RunnerFiles>;
}

/**
 * The drill runner: a droplet like the backup runner, but with a systemd timer per drilled source
 * (`lifeboat drill`), no health endpoint and no inbound traffic. It is the only machine of the estate
 * that holds the age identity, in its user data (a secret in the state) and then in a root-only
 * environment file; see {@link DoDrillsDesign} for why the backup runner never does.
 *
 * @example
 * const drills = new DrillRunner("prod-drills", { design: estate.design.drills!, files: pulumi.secret(files) });
 */
export class DrillRunner extends pulumi.ComponentResource {
  readonly droplet: Droplet;
  readonly firewall: Firewall;

  constructor(name: string, args: DrillRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lifeboat:digitalocean:DrillRunner", name, {}, opts);
    ({ droplet: this.droplet, firewall: this.firewall } = runnerDroplet(this, name, "lifeboat-drill-runner", args.design.runner, args.files));
    this.registerOutputs({});
  }
}
