export * from "./cli";
export * from "./inputs";
export * from "./pulumi-json";
export * from "./sarif";
