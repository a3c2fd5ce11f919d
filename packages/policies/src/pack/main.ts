// The policy pack's entry: `pulumi preview --policy-pack packages/policies` runs this file (built,
// see PulumiPolicy.yaml) with Node. Constructing the pack starts its gRPC server and prints the port:
// import nothing from here in tests; spawn it instead.
import { PolicyPack } from "@pulumi/policy";
import { captureConfiguration } from "./configure";
import { PACK_NAME, pulumiPolicies } from "./policies";

captureConfiguration();
new PolicyPack(PACK_NAME, { policies: pulumiPolicies() });
