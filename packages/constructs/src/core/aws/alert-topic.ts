import { checkEmail, checkHttpsUrl, checkKmsKeyArn, checkServicePrincipal } from "./aws-names";
import { knownString } from "../deploy-time";
import { Problems } from "../errors";
import { ALERT_PUBLISHERS } from "./topic-policy";

/** The engine-neutral settings of an alert topic. Values not known until deploy time are skipped. */
export interface AlertTopicSettings {
  readonly emails?: readonly unknown[];
  readonly httpsEndpoints?: readonly unknown[];
  readonly publishers?: readonly string[];
  readonly keyArn?: unknown;
}

export interface AlertTopicPlan {
  readonly publishers: readonly string[];
}

/** Validates an alert topic's subscriptions, publishers and key. */
export function planAlertTopic(settings: AlertTopicSettings, subject: string): AlertTopicPlan {
  const problems = new Problems();
  const emails = settings.emails ?? [];
  emails.forEach((e, i) => {
    const email = knownString(e);
    if (email !== undefined) checkEmail(email, `emails[${i}]`, problems);
  });
  (settings.httpsEndpoints ?? []).forEach((u, i) => {
    const url = knownString(u);
    if (url !== undefined) checkHttpsUrl(url, `httpsEndpoints[${i}]`, problems);
  });
  const duplicates = emails.filter((e, i) => typeof e === "string" && emails.indexOf(e) !== i);
  for (const d of new Set(duplicates)) problems.add("emails", d, "is listed twice; list each address once.");
  const publishers = [...new Set(settings.publishers ?? ALERT_PUBLISHERS)];
  publishers.forEach((p, i) => checkServicePrincipal(p, `publishers[${i}]`, problems));
  if (publishers.length === 0) {
    problems.add("publishers", settings.publishers, "is empty: no alarm or event could reach the topic. Omit it to allow CloudWatch, EventBridge and AWS Backup.");
  }
  const keyArn = knownString(settings.keyArn);
  if (keyArn !== undefined) checkKmsKeyArn(keyArn, "key", problems);
  problems.throwIfAny(subject);
  return { publishers };
}
