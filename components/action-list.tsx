// A compact list of action requests (a service's recent actions, the requests a form created).
import Link from "next/link";
import type { ActionListItem } from "@/lib/api-types";
import { summarizeChanges, targetLabel } from "@/lib/action-view";
import { formatDateTime, formatRelative } from "@/lib/format";
import { StateBadge } from "./badges";

export function ActionList({ items, now, showTarget = false, testId }: { items: ActionListItem[]; now: number; showTarget?: boolean; testId?: string }) {
  return (
    <ul className="divide-y divide-zinc-100 rounded border border-zinc-200 text-xs dark:divide-zinc-800 dark:border-zinc-800" data-testid={testId}>
      {items.map((item) => (
        <li key={item.id} data-testid="action-item" data-id={item.id}>
          <Link href={`/actions/${item.id}`} className="flex items-center gap-2 px-2 py-1 hover:bg-zinc-50 dark:hover:bg-zinc-900">
            <StateBadge state={item.state} />
            <span className="min-w-0 flex-1 truncate">
              {showTarget && <span className="mr-1 text-zinc-500">{targetLabel(item)}</span>}
              <span className="tabular-nums">{summarizeChanges(item.preview, item.params)}</span>
              {!showTarget && typeof (item.params as { region?: unknown })?.region === "string" && (
                <span className="ml-1 font-mono text-[11px] text-zinc-500">@{String((item.params as { region: string }).region)}</span>
              )}
            </span>
            <time dateTime={new Date(item.createdAt).toISOString()} title={`${formatDateTime(item.createdAt)} by ${item.requestedBy.email}, ${item.risk} risk`} className="w-16 shrink-0 text-right text-zinc-500 tabular-nums">
              {formatRelative(item.createdAt, now)}
            </time>
          </Link>
        </li>
      ))}
    </ul>
  );
}
