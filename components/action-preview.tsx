// What an action will change: before → after, the risk and why, the cost. Used by the
// request forms' live preview and by the request detail page.
import clsx from "clsx";
import type { PreviewChange } from "@/lib/action-view";
import { formatMonthlyCost } from "@/lib/format";
import { RiskBadge } from "./badges";

export interface PreviewView {
  summary: string | null;
  changes: PreviewChange[];
  risk: string | null;
  riskReasons: string[];
  monthlyCostDelta: number | null;
}

export function ActionPreview({ preview, stale = false, testId }: { preview: PreviewView; stale?: boolean; testId?: string }) {
  return (
    <div className={clsx("space-y-1.5 text-xs transition-opacity", stale && "opacity-60")} data-testid={testId} aria-busy={stale}>
      {preview.summary && <p className="font-medium">{preview.summary}</p>}
      {preview.changes.length > 0 && (
        <table className="text-xs">
          <tbody>
            {preview.changes.map((change) => (
              <tr key={change.label}>
                <th scope="row" className="pr-3 text-left font-normal text-zinc-500">
                  {change.label}
                </th>
                <td className="tabular-nums">
                  <span className="text-zinc-500 line-through decoration-zinc-400/60">{change.before}</span>
                  <span className="px-1.5 text-zinc-400" aria-label="becomes">
                    →
                  </span>
                  <strong className="text-sm">{change.after}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="flex flex-wrap items-center gap-2">
        {preview.risk && <RiskBadge risk={preview.risk} reasons={preview.riskReasons} />}
        {preview.monthlyCostDelta !== null && (
          <span className={clsx("tabular-nums", preview.monthlyCostDelta > 0 ? "text-amber-700 dark:text-amber-400" : "text-emerald-700 dark:text-emerald-400")} title="estimated change of the monthly bill">
            {formatMonthlyCost(preview.monthlyCostDelta)}
          </span>
        )}
      </div>
      {preview.riskReasons.length > 0 && (
        <ul className="list-disc pl-4 text-zinc-600 dark:text-zinc-400">
          {preview.riskReasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
