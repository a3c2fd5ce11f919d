import * as pulumi from "@pulumi/pulumi";
import { UptimeAlert } from "@pulumi/digitalocean/uptimeAlert";
import { UptimeCheck } from "@pulumi/digitalocean/uptimeCheck";
import { Problems } from "../../core";
import { checkAlertRecipients, deadMansSwitchAlert, UPTIME_REGIONS } from "../../core/digitalocean";
import { type AlertRecipientsArgs, uptimeNotifications } from "./alerts";

/** Arguments of a {@link DeadMansSwitch}. */
export interface DeadMansSwitchArgs {
  /** The runner's health URL, such as `http://203.0.113.7:8080/healthz`. */
  readonly healthUrl: pulumi.Input<string>;
  readonly alerts: AlertRecipientsArgs;
}

/**
 * A dead-man's switch on the backup runner's health endpoint: the endpoint answers 503 when a backup
 * is older than its RPO or the last verification failed, and nothing when the runner is dead; an
 * uptime check from every probing region pages every recipient after 5 minutes of either. Nothing
 * depends on the jobs reporting their own failure.
 *
 * @example
 * new DeadMansSwitch("backups", { healthUrl: runner.healthUrl, alerts: { emails: ["oncall@example.com"] } });
 */
export class DeadMansSwitch extends pulumi.ComponentResource {
  readonly check: UptimeCheck;
  readonly alert: UptimeAlert;

  constructor(name: string, args: DeadMansSwitchArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = new Problems();
    checkAlertRecipients(args.alerts, "alerts", problems);
    problems.throwIfAny(`DeadMansSwitch "${name}"`);
    super("lifeboat:digitalocean:DeadMansSwitch", name, {}, opts);
    const design = deadMansSwitchAlert();
    this.check = new UptimeCheck(`${name}-check`, { name: `${name}-backup-health`, type: "http", target: args.healthUrl, regions: [...UPTIME_REGIONS], enabled: true }, { parent: this });
    this.alert = new UptimeAlert(`${name}-alert`, { checkId: this.check.id, name: `${name}-backup-health-${design.role}`, type: design.type, period: design.period, notifications: uptimeNotifications(args.alerts) }, { parent: this });
    this.registerOutputs({});
  }
}
