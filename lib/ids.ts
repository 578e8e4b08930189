// Idempotency keys for requests. crypto.randomUUID only exists in secure contexts
// (https, localhost); an operator on plain http inside a VPN still needs a key.
export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
