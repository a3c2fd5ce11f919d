import type { Rule } from "../../engine/rule";
import { canRotateAutomatically } from "../../facts";

/** Symmetric encryption keys rotate their material automatically. */
export const kmsKeyRotation: Rule = {
  id: "kms-key-rotation",
  area: "kms",
  description: "KMS keys that can rotate automatically have automatic rotation enabled.",
  cause:
    "A SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT key whose material KMS generated, without enableKeyRotation (CloudFormation: EnableKeyRotation). Keys that cannot rotate automatically are skipped: asymmetric and HMAC keys, imported key material (aws.kms.ExternalKey, Origin EXTERNAL) and keys in a custom key store (CloudHSM or external).",
  explanation: "Rotation limits how much data one key version protects and is required by most standards; old versions stay available, so backups encrypted years ago remain readable.",
  enforcement: "mandatory",
  settings: [],
  scope: "resource",
  appliesTo: "aws:kms/key:Key, aws:kms/externalKey:ExternalKey, AWS::KMS::Key",
  check(facts) {
    return facts.keys
      .filter((k) => canRotateAutomatically(k) && k.rotationEnabled !== true)
      .map((k) => ({ subject: k, property: "rotationEnabled", message: "Automatic key rotation is off.", actual: k.rotationEnabled ?? null, fix: "Set enableKeyRotation: true (CloudFormation: EnableKeyRotation: true)." }));
  },
};
