// A program whose replica provider deploys to the primary's region: it must fail at deploy time.
import { Provider } from "@pulumi/aws/provider";
import { ReplicatedBackupVault } from "@lifeboat/constructs/pulumi/aws";

const wrong = new Provider("wrong", { region: "us-east-1" });
new ReplicatedBackupVault("backups", { primaryRegion: "us-east-1", replica: { region: "us-west-2", provider: wrong } });
