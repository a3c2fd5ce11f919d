import type { Rule } from "../../engine/rule";

/** Symmetric encryption keys rotate their material automatically. */
export const kmsKeyRotation: Rule = {
  id: "kms-key-rotation",
  area: "kms",
  description: "Symmetric encryption KMS keys have automatic rotation enabled.",
  cause: "A SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT key without enableKeyRotation (CloudFormation: EnableKeyRotation). Asymmetric and HMAC keys cannot rotate and are skipped.",
  explanation: "Rotation limits how much data one key version protects and is required by most standards; old versions stay available, so backups encrypted years ago remain readable.",
  enforcement: "mandatory",
  settings: [],
  scope: "resource",
  appliesTo: "aws:kms/key:Key, AWS::KMS::Key",
  check(facts) {
    return facts.keys
      .filter((k) => k.keySpec === "SYMMETRIC_DEFAULT" && k.keyUsage === "ENCRYPT_DECRYPT" && k.rotationEnabled !== true)
      .map((k) => ({ subject: k, property: "rotationEnabled", message: "Automatic key rotation is off.", actual: k.rotationEnabled ?? null, fix: "Set enableKeyRotation: true (CloudFormation: EnableKeyRotation: true)." }));
  },
};
