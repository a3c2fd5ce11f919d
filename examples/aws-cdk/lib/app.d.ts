import { App, type AppProps } from "aws-cdk-lib";
import type { EstatePosture } from "@lifeboat/constructs/core";
import { EstateStack } from "./estate-stack";
/** The example's account and region: explicit, so `cdk synth` needs no credentials. */
export declare const ENV: {
    readonly account: "123456789012";
    readonly region: "us-east-1";
};
/** What `cdk synth` would otherwise look up in the account: the region's availability zones. */
export declare const OFFLINE_CONTEXT: {
    readonly [x: string]: readonly ["us-east-1a", "us-east-1b", "us-east-1c"] | "strong";
    readonly "@aws-cdk/core:defaultCrossStackReferences": "strong";
};
/** The app: the estate's stack (and the DR stack it creates), judged by Lifeboat's policies at synth. */
export declare function buildApp(props?: AppProps): {
    app: App;
    stack: EstateStack;
    postures: () => EstatePosture[];
    runbooks: () => string[];
};
//# sourceMappingURL=app.d.ts.map