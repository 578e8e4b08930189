import { hash, verify } from "@node-rs/argon2";

// argon2id with the library's defaults (OWASP's minimum: 19 MiB, 2 iterations).
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a malformed stored hash is a failed login, not a server error
  }
}

// Verifying against a real hash when the account does not exist keeps the response time
// the same, so timing does not tell which e-mail addresses have accounts.
let dummyHash: Promise<string> | undefined;

export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hash("no account has this password");
  await verifyPassword(await dummyHash, password);
  return false;
}
