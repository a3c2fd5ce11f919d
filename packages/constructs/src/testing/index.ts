export * from "./fake-cloud";
export * from "./aws";
export * from "./recorder";
export * from "./digitalocean";
