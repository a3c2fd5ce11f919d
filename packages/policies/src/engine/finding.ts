/** A finding: a rule broken by a resource, with the value found and the fix. */
export interface Finding {
  readonly ruleId: string;
  /** The URN (Pulumi) or logical id (CloudFormation). */
  readonly resource: string;
  readonly resourceType: string;
  readonly resourceName: string;
  readonly message: string;
  /** The value found; `null` when nothing is set. */
  readonly actual: unknown;
  readonly fix: string;
  readonly enforcement: "advisory" | "mandatory";
  /** Set when the finding is exempted: it is reported, but does not fail the stack. */
  readonly exemption?: { readonly reason: string; readonly by: "tag" | "config" };
  /** `true` when the value judged is only known after deploy (a preview of new resources). */
  readonly knownAfterDeploy?: boolean;
}

/** `true` when a finding should fail a deployment: mandatory, not exempted, judged on known values. */
export function isBlocking(finding: Finding): boolean {
  return finding.enforcement === "mandatory" && !finding.exemption && !finding.knownAfterDeploy;
}

/** One line for a person: `[mandatory] rule-id  resource: message Fix: ...`. */
export function describeFinding(finding: Finding): string {
  const status = finding.exemption ? `exempted (${finding.exemption.by}): ${finding.exemption.reason}` : finding.enforcement;
  return `[${status}] ${finding.ruleId}  ${finding.resourceName} (${finding.resourceType}): ${finding.message} Fix: ${finding.fix}`;
}
