import type { FakeProvider, FakeResource, FakeResourceArgs } from "./fake-cloud";

const uuid = (hash: string) => `${hash.slice(0, 8)}-${hash.slice(8, 12)}-${hash.slice(12, 16)}-${hash.slice(16, 20)}-${hash.slice(20, 32)}`;
const nameOf = ({ inputs, name, hash }: FakeResourceArgs) => (typeof inputs.name === "string" ? inputs.name : `${name}-${hash.slice(0, 7)}`);
/** An address in TEST-NET-3 (RFC 5737), which never routes anywhere. */
const testNetIp = (hash: string) => `203.0.113.${(parseInt(hash.slice(0, 2), 16) % 250) + 1}`;

/** A resource with a UUID id and its inputs echoed back. */
const withUuid: FakeResource = (args) => {
  const id = uuid(args.hash);
  return { id, state: { ...args.inputs, id, uuid: id } };
};

const databaseCluster: FakeResource = (args) => {
  const id = uuid(args.hash);
  const name = nameOf(args);
  const valkey = args.inputs.engine === "valkey" || args.inputs.engine === "redis";
  const port = valkey ? 25061 : 25060;
  const host = `${name}-do-user-1-0.${args.region}.db.ondigitalocean.com`;
  const user = valkey ? "default" : "doadmin";
  const password = `fake-password-${args.hash.slice(0, 16)}`;
  const database = valkey ? "" : "defaultdb";
  const scheme = valkey ? "rediss" : args.inputs.engine === "mysql" ? "mysql" : "postgresql";
  return {
    id,
    state: {
      ...args.inputs,
      id,
      name,
      host,
      privateHost: `private-${host}`,
      port,
      user,
      password,
      database,
      uri: `${scheme}://${user}:${password}@${host}:${port}/${database}`,
      privateUri: `${scheme}://${user}:${password}@private-${host}:${port}/${database}`,
      urn: `do:dbaas:${id}`,
    },
  };
};

/** Fakes for `@pulumi/digitalocean`: ids, endpoints and credentials the provider would report. */
export const digitalOceanFakes: FakeProvider = {
  package: "digitalocean",
  resources: {
    "digitalocean:index/databaseCluster:DatabaseCluster": databaseCluster,
    "digitalocean:index/databaseReplica:DatabaseReplica": (args) => {
      const { id, state } = databaseCluster(args);
      return { id, state: { ...state, uuid: id } };
    },
    "digitalocean:index/droplet:Droplet": (args) => {
      const id = String(parseInt(args.hash.slice(0, 8), 16) % 900_000_000 + 100_000_000);
      return { id, state: { ...args.inputs, id, name: nameOf(args), ipv4Address: testNetIp(args.hash), ipv4AddressPrivate: `10.10.0.${(parseInt(args.hash.slice(2, 4), 16) % 250) + 2}`, urn: `do:droplet:${id}`, status: "active" } };
    },
    "digitalocean:index/spacesBucket:SpacesBucket": (args) => {
      const name = nameOf(args);
      return { id: name, state: { ...args.inputs, id: name, name, bucketDomainName: `${name}.${args.region}.digitaloceanspaces.com`, endpoint: `${args.region}.digitaloceanspaces.com`, urn: `do:space:${name}` } };
    },
    "digitalocean:index/spacesKey:SpacesKey": (args) => {
      const accessKey = `DO00${args.hash.slice(0, 16).toUpperCase()}`;
      return { id: accessKey, state: { ...args.inputs, id: accessKey, name: nameOf(args), accessKey, secretKey: `fake-secret-${args.hash.slice(16, 48)}` } };
    },
    "digitalocean:index/app:App": (args) => {
      const id = uuid(args.hash);
      const spec = (args.inputs.spec ?? {}) as { name?: string };
      const url = `https://${spec.name ?? args.name}-${args.hash.slice(0, 5)}.ondigitalocean.app`;
      return { id, state: { ...args.inputs, id, liveUrl: url, defaultIngress: url, urn: `do:app:${id}` } };
    },
    "digitalocean:index/firewall:Firewall": withUuid,
    "digitalocean:index/databaseFirewall:DatabaseFirewall": withUuid,
    "digitalocean:index/databaseValkeyConfig:DatabaseValkeyConfig": withUuid,
    "digitalocean:index/uptimeCheck:UptimeCheck": withUuid,
    "digitalocean:index/uptimeAlert:UptimeAlert": withUuid,
    "digitalocean:index/monitorAlert:MonitorAlert": withUuid,
  },
  calls: {},
};
