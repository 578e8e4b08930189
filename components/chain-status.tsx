// The audit chain's verdict, at the top of the audit page.
import type { ChainStatus } from "@/lib/api-types";

const REASONS: Record<string, string> = {
  "hash mismatch": "hash mismatch — a row's content no longer matches its hash (edited)",
  "prev_hash mismatch": "prev_hash mismatch — a row does not link to the one before it (removed or reordered)",
  "sequence gap": "sequence gap — a row is missing (deleted)",
};

export function ChainStatusBanner({ status, error }: { status: ChainStatus | undefined; error: string | null }) {
  if (!status) {
    return (
      <div className="flex h-8 items-center rounded border border-zinc-200 px-2.5 text-xs text-zinc-500 dark:border-zinc-800" data-testid="chain-status" data-ok="unknown">
        {error ? `could not verify the chain: ${error}` : "verifying the audit chain…"}
      </div>
    );
  }
  if (status.ok) {
    return (
      <div role="status" className="flex h-8 items-center gap-2 rounded border border-emerald-300 bg-emerald-50 px-2.5 text-xs text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200" data-testid="chain-status" data-ok="true">
        <span aria-hidden>✓</span>
        <strong>chain verified: {status.checked} events</strong>
        <span className="text-emerald-800/80 dark:text-emerald-300/80">every hash recomputed and linked, up to seq {status.lastSeq ?? "–"}</span>
      </div>
    );
  }
  const reason = status.firstBreak ? (REASONS[status.firstBreak.reason] ?? status.firstBreak.reason) : "unknown";
  return (
    <div role="alert" className="flex h-8 items-center gap-2 rounded border border-red-700 bg-red-600 px-2.5 text-xs font-medium text-white" data-testid="chain-status" data-ok="false">
      <span aria-hidden>✗</span>
      <strong>
        chain BROKEN at seq {status.firstBreak?.seq ?? "?"}: {reason}
      </strong>
      <span className="opacity-90">({status.checked} events verified before it)</span>
    </div>
  );
}
