// A program whose DR provider deploys to the primary's region: AwsBackupPlan must fail at deploy time.
import { Provider } from "@pulumi/aws/provider";
import { AwsBackupPlan } from "@lifeboat/constructs/pulumi/aws";

const wrong = new Provider("wrong", { region: "us-east-1" });
new AwsBackupPlan("dbs", {
  selection: { resources: ["arn:aws:rds:us-east-1:123456789012:db:orders"] },
  dr: { region: "us-west-2", provider: wrong },
  topic: "arn:aws:sns:us-east-1:123456789012:alerts",
  primaryRegion: "us-east-1",
});
