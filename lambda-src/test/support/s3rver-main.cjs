// Runs s3rver for the tests in its own process: it needs the OpenSSL legacy provider (its listing
// continuation tokens use DES), which only a process started with --openssl-legacy-provider has.
// Usage: node --openssl-legacy-provider s3rver-main.cjs <directory> <port> <bucket>...
"use strict";
const S3rver = require("s3rver");
const [directory, port, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: "127.0.0.1",
  port: Number(port),
  directory,
  silent: true,
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});
server.run().then(
  () => process.stdout.write("ready\n"),
  (error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
