import type { Rule } from "../../engine/rule";
import { days } from "../support/vaults";

/** Keys wait long enough before deletion for a mistake to be noticed. */
export const kmsKeyDeletionWindow: Rule = {
  id: "kms-key-deletion-window",
  area: "kms",
  description: "KMS keys wait at least `kmsDeletionWindowDays` before deletion once scheduled.",
  cause: "deletionWindowInDays (CloudFormation: PendingWindowInDays) below `kmsDeletionWindowDays`; unset means 30 days.",
  explanation: "Deleting a key makes everything it encrypted unreadable for good, every backup included. The waiting period is the only chance to cancel a mistaken or malicious deletion.",
  enforcement: "mandatory",
  settings: ["kmsDeletionWindowDays"],
  scope: "resource",
  appliesTo: "aws:kms/key:Key, AWS::KMS::Key",
  check(facts, settings) {
    return facts.keys
      .filter((k) => (k.deletionWindowDays ?? 30) < settings.kmsDeletionWindowDays)
      .map((k) => ({
        subject: k,
        property: "deletionWindowDays",
        message: `The deletion window is ${days(k.deletionWindowDays ?? 30)}, less than the required ${days(settings.kmsDeletionWindowDays)}.`,
        actual: k.deletionWindowDays ?? null,
        fix: `Set deletionWindowInDays to at least ${settings.kmsDeletionWindowDays} (CloudFormation: PendingWindowInDays).`,
      }));
  },
};
