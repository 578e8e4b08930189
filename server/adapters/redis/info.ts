// Reading Redis's text answers: INFO's `field:value` lines, the `a=1,b=2` lists inside some
// of them (keyspace, replicas), and the flat field/value arrays Sentinel answers with.

export type InfoFields = ReadonlyMap<string, string>;

/** INFO's text as fields; section headers (`# Memory`) and blank lines are skipped. */
export function parseInfo(text: string): InfoFields {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** A numeric field, or `fallback` when the field is absent or not a number (older servers lack some). */
export function numberField(fields: InfoFields, name: string, fallback = 0): number {
  const value = Number(fields.get(name));
  return fields.has(name) && Number.isFinite(value) ? value : fallback;
}

/** `keys=12,expires=0,avg_ttl=0` → { keys: "12", expires: "0", avg_ttl: "0" } */
export function parseAttributeList(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const part of text.split(",")) {
    const equals = part.indexOf("=");
    if (equals > 0) attributes[part.slice(0, equals)] = part.slice(equals + 1);
  }
  return attributes;
}

/** Keys in one logical database (`db0:keys=...`); 0 when the database is empty (no line at all). */
export function keysInDatabase(fields: InfoFields, database = 0): number {
  const line = fields.get(`db${database}`);
  if (line === undefined) return 0;
  const keys = Number(parseAttributeList(line).keys);
  return Number.isFinite(keys) ? keys : 0;
}

export interface ConnectedReplica {
  /** host:port the replica announced to its primary. */
  address: string;
  /** The primary's view of the link: online, wait_bgsave, send_bulk... */
  state: string;
  /** Replication offset the replica last acknowledged. */
  offset: number;
  /** Seconds since that acknowledgement. */
  lastAckSeconds: number;
}

/** The primary's `slaveN:ip=...,port=...,state=...,offset=...,lag=...` lines, in N order. */
export function connectedReplicas(fields: InfoFields): ConnectedReplica[] {
  const replicas: { index: number; replica: ConnectedReplica }[] = [];
  for (const [name, value] of fields) {
    const match = /^slave(\d+)$/.exec(name);
    if (!match) continue;
    const attributes = parseAttributeList(value);
    if (attributes.ip === undefined || attributes.port === undefined) continue;
    replicas.push({
      index: Number(match[1]),
      replica: {
        address: formatAddress(attributes.ip, Number(attributes.port)),
        state: attributes.state ?? "unknown",
        offset: Number(attributes.offset ?? 0) || 0,
        lastAckSeconds: Number(attributes.lag ?? 0) || 0,
      },
    });
  }
  return replicas.sort((a, b) => a.index - b.index).map((entry) => entry.replica);
}

/** Sentinel's flat `[field, value, field, value, ...]` replies as a record. */
export function pairsToRecord(reply: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (!Array.isArray(reply)) return record;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    record[String(reply[i])] = String(reply[i + 1]);
  }
  return record;
}

/** host:port, with IPv6 hosts in brackets as the configuration writes them. */
export function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

export function parseAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
  if (!match) throw new Error(`"${address}" is not host:port`);
  return { host: match[1] ?? match[2] ?? "", port: Number(match[3]) };
}
