export * from "./cloudformation/from-template";
export * from "./cloudformation/intrinsics";
export * from "./pulumi/from-pulumi";
export * from "./pulumi/resource";
export * from "./pulumi/s3";
export * from "./values";
