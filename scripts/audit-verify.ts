// npm run audit:verify — re-computes the audit log's hash chain from the first event.
// Exit 0 when it holds; 1 with the first broken row's seq and reason; 2 when it cannot check.
export {};

// Sessions are signed by the app, never by this command; env.ts still insists on a secret.
process.env.NEXTAUTH_SECRET ??= "cli-signs-no-sessions-placeholder";

if (!process.env.DATABASE_URL) {
  console.error("audit:verify: set DATABASE_URL to Scaleplane's database (the demo prints its own)");
  process.exit(2);
}

// Imported only now: these read DATABASE_URL and NEXTAUTH_SECRET when they load.
const { verifyAuditChain } = await import("../server/audit/log");
const { db } = await import("../server/db/client");

let exitCode: number;
try {
  const status = await verifyAuditChain(db);
  if (status.ok) {
    console.log(`audit chain ok: ${status.checked} events checked${status.lastSeq ? `, last seq ${status.lastSeq}` : ""}`);
    exitCode = 0;
  } else {
    const broken = status.firstBreak;
    console.error(`audit chain BROKEN at seq ${broken?.seq ?? "?"}: ${broken?.reason ?? "unknown reason"} (${status.checked} events before it verified)`);
    exitCode = 1;
  }
} catch (error) {
  console.error(`audit:verify: could not read the audit log: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 2;
} finally {
  await db.$disconnect();
}
process.exit(exitCode);
