// Alertmanager's fingerprint of an alert: a hash of its label set (Prometheus's
// model.LabelSet.Fingerprint, 64-bit FNV-1a over the sorted names and values, each followed
// by the byte 0xff), printed as 16 hex digits. Computing it for an alert read from
// Prometheus gives the key the webhook delivers the same alert under. Pure.

const FNV_OFFSET_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
const SEPARATOR = 0xff;

const encoder = new TextEncoder();

function addBytes(hash: bigint, bytes: Uint8Array): bigint {
  let next = hash;
  for (const byte of bytes) next = ((next ^ BigInt(byte)) * FNV_PRIME_64) & MASK_64;
  return next;
}

function addByte(hash: bigint, byte: number): bigint {
  return ((hash ^ BigInt(byte)) * FNV_PRIME_64) & MASK_64;
}

export function labelSetFingerprint(labels: Readonly<Record<string, string>>): string {
  let hash = FNV_OFFSET_64;
  // Go sorts label names by bytes; for the ASCII names Prometheus allows that is code-unit order.
  for (const name of Object.keys(labels).sort()) {
    hash = addByte(addBytes(hash, encoder.encode(name)), SEPARATOR);
    hash = addByte(addBytes(hash, encoder.encode(labels[name])), SEPARATOR);
  }
  return hash.toString(16).padStart(16, "0");
}
