// A program whose health check alarm would notify a topic outside us-east-1: ServiceMonitor must fail at deploy time.
import { Provider } from "@pulumi/aws/provider";
import { AlertTopic, ServiceMonitor } from "@lifeboat/constructs/pulumi/aws";

const ireland = new Provider("ireland", { region: "eu-west-1" });
const alerts = new AlertTopic("alerts", {}, { provider: ireland });
new ServiceMonitor("app", { topic: alerts, healthCheck: { fqdn: "app.example.com" } });
