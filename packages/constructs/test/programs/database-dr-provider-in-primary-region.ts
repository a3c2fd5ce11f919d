// A program whose DR provider deploys to the database's region: DatabaseBackups must fail at deploy time.
import { Provider } from "@pulumi/aws/provider";
import { DatabaseBackups } from "@lifeboat/constructs/pulumi/aws";

const wrong = new Provider("wrong", { region: "us-east-1" });
new DatabaseBackups("orders", { database: { rdsInstance: "orders" }, dr: { region: "us-west-2", provider: wrong } });
