import * as pulumi from "@pulumi/pulumi";
import type { AlertRecipients } from "../../core/digitalocean";

/** Who DigitalOcean alerts reach, as Pulumi inputs (a Slack webhook URL is best passed as a secret). */
export type AlertRecipientsArgs = AlertRecipients<pulumi.Input<string>>;

/** The recipients in the shape of an `UptimeAlert`'s `notifications`. */
export function uptimeNotifications(recipients: AlertRecipientsArgs) {
  return [{ emails: [...(recipients.emails ?? [])], slacks: (recipients.slack ?? []).map((s) => ({ channel: s.channel, url: pulumi.secret(s.url) })) }];
}

/** The recipients in the shape of a `MonitorAlert`'s `alerts`. */
export function monitorRecipients(recipients: AlertRecipientsArgs) {
  return { emails: [...(recipients.emails ?? [])], slacks: (recipients.slack ?? []).map((s) => ({ channel: s.channel, url: pulumi.secret(s.url) })) };
}
