"use client";
// The service page's "why" beyond its own figures: its autoscaler (bounds, target, what it wants)
// and the calls around it: whom it calls and who calls it, with the circuit breaker on each edge
// and each neighbour's verdict, so a failing dependency is one click away.
import clsx from "clsx";
import Link from "next/link";
import type { ServiceDetail } from "@/lib/api-types";
import { formatPercent, formatRate } from "@/lib/format";
import { VerdictBadge } from "./badges";
import { Button } from "./ui";

type Edge = ServiceDetail["calls"]["downstream"][number];

const BREAKER_STYLE: Record<Edge["breakerState"], string> = {
  closed: "text-emerald-700 dark:text-emerald-400",
  "half-open": "font-semibold text-amber-700 dark:text-amber-400",
  open: "font-semibold text-red-700 dark:text-red-400",
};

const heading = "mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500";
const cell = "px-2 py-1";

/** `onChange` (given to those who may request) adds a button per region that opens the autoscaler form. */
export function AutoscalerPanel({ autoscalers, onChange }: { autoscalers: ServiceDetail["autoscalers"]; onChange?: (region: string) => void }) {
  if (autoscalers.length === 0) {
    return <p className="text-xs text-zinc-500">No autoscaler: replicas change only when someone scales the service.</p>;
  }
  return (
    <table className="w-full table-fixed text-xs" data-testid="autoscalers">
      <caption className="sr-only">Horizontal pod autoscaler per region</caption>
      <thead className="text-left text-zinc-500">
        <tr>
          <th className={clsx(cell, "w-20")}>Health</th>
          <th className={cell}>Region</th>
          <th className={clsx(cell, "text-right")} title="current / desired replicas">Replicas now → wanted</th>
          <th className={clsx(cell, "text-right")}>Bounds</th>
          <th className={clsx(cell, "text-right")} title="CPU utilisation against the autoscaler's target">CPU / target</th>
          <th className={cell}>Why</th>
          {onChange && <th className={clsx(cell, "w-20")}><span className="sr-only">Change</span></th>}
        </tr>
      </thead>
      <tbody>
        {autoscalers.map((hpa) => (
          <tr key={hpa.region} className="border-t border-zinc-100 dark:border-zinc-800">
            <td className={cell}>
              <VerdictBadge verdict={hpa.health.verdict} reasons={hpa.health.reasons} />
            </td>
            <td className={clsx(cell, "font-mono")}>{hpa.region}</td>
            <td className={clsx(cell, "text-right tabular-nums")}>
              {hpa.currentReplicas} → {hpa.desiredReplicas}
            </td>
            <td className={clsx(cell, "text-right tabular-nums", hpa.desiredReplicas >= hpa.maxReplicas && "font-semibold text-red-700 dark:text-red-400")}>
              {hpa.minReplicas}–{hpa.maxReplicas}
            </td>
            <td className={clsx(cell, "text-right tabular-nums")}>
              {formatPercent(hpa.cpuUtilisation)} / {formatPercent(hpa.targetCpuUtilisation)}
            </td>
            <td className={clsx(cell, "truncate text-zinc-500")} title={hpa.health.reasons.join("\n")}>
              {hpa.health.reasons.join("; ") || (hpa.desiredReplicas > hpa.currentReplicas ? "scaling up" : hpa.desiredReplicas < hpa.currentReplicas ? "scaling down" : "steady")}
            </td>
            {onChange && (
              <td className={clsx(cell, "text-right")}>
                <Button size="xs" onClick={() => onChange(hpa.region)} aria-haspopup="dialog" aria-label={`Change the autoscaler in ${hpa.region}`} data-testid="autoscaler-change">
                  change…
                </Button>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EdgeTable({ edges, direction, onForceBreaker }: { edges: Edge[]; direction: "downstream" | "upstream"; onForceBreaker?: (edge: Edge) => void }) {
  if (edges.length === 0) {
    return <p className="text-xs text-zinc-500">{direction === "downstream" ? "Calls no other service." : "No service calls it."}</p>;
  }
  const sorted = [...edges].sort((a, b) => Number(b.breakerState !== "closed") - Number(a.breakerState !== "closed") || b.dependencyErrorRatio - a.dependencyErrorRatio);
  return (
    <table className="w-full table-fixed text-xs" data-testid={`calls-${direction}`}>
      <caption className="sr-only">{direction === "downstream" ? "Services this one calls" : "Services that call this one"}</caption>
      <thead className="text-left text-zinc-500">
        <tr>
          <th className={clsx(cell, "w-20")}>Health</th>
          <th className={cell}>{direction === "downstream" ? "Calls" : "Called by"}</th>
          <th className={cell}>Region</th>
          <th className={cell} title="the caller's circuit breaker on this call">Breaker</th>
          <th className={clsx(cell, "text-right")}>Calls/s</th>
          <th className={clsx(cell, "text-right")} title="calls that needed a retry">Retried</th>
          <th className={clsx(cell, "text-right")} title="errors of the called service, before retries">Callee errors</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((edge) => {
          const other = direction === "downstream" ? edge.dependency : edge.name;
          const namespace = edge.neighbour?.namespace ?? (direction === "upstream" ? edge.namespace : null);
          return (
            <tr key={`${other}@${edge.region}`} className="border-t border-zinc-100 dark:border-zinc-800" data-breaker={edge.breakerState}>
              <td className={cell}>{edge.neighbour ? <VerdictBadge verdict={edge.neighbour.verdict} reasons={edge.neighbour.reasons} /> : <VerdictBadge verdict="UNKNOWN" />}</td>
              <td className={clsx(cell, "truncate")}>
                {namespace ? (
                  <Link className="text-sky-700 hover:underline dark:text-sky-400" href={`/services/${encodeURIComponent(namespace)}/${encodeURIComponent(other)}?region=${encodeURIComponent(edge.region)}`}>
                    {other}
                  </Link>
                ) : (
                  other
                )}
              </td>
              <td className={clsx(cell, "font-mono")}>{edge.region}</td>
              <td className={clsx(cell, BREAKER_STYLE[edge.breakerState])}>
                {onForceBreaker ? (
                  // The state is the control: no extra column in a table that is already tight.
                  <button
                    type="button"
                    onClick={() => onForceBreaker(edge)}
                    aria-haspopup="dialog"
                    title={`Force the breaker on calls to ${other} in ${edge.region}: open, closed or back to auto`}
                    className="rounded border border-current/40 px-1 leading-4 hover:bg-zinc-100 dark:hover:bg-zinc-800"
                    data-testid="breaker-force"
                  >
                    {edge.breakerState}…
                  </button>
                ) : (
                  edge.breakerState
                )}
              </td>
              <td className={clsx(cell, "text-right tabular-nums")}>{formatRate(edge.callsPerSecond)}</td>
              <td className={clsx(cell, "text-right tabular-nums")}>{formatRate(edge.retriedCallsPerSecond)}</td>
              <td className={clsx(cell, "text-right tabular-nums", edge.dependencyErrorRatio > 0.05 && "font-semibold text-red-700 dark:text-red-400")}>
                {formatPercent(edge.dependencyErrorRatio)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** `onForceBreaker` (given to those who may request) adds a button per downstream call: this service's breaker on it. */
export function CallGraphPanel({ calls, onForceBreaker }: { calls: ServiceDetail["calls"]; onForceBreaker?: (edge: Edge) => void }) {
  return (
    <div className="grid gap-3 lg:grid-cols-2">
      <div>
        <h3 className={heading}>Downstream: what it calls</h3>
        <EdgeTable edges={calls.downstream} direction="downstream" onForceBreaker={onForceBreaker} />
      </div>
      <div>
        <h3 className={heading}>Upstream: who calls it</h3>
        <EdgeTable edges={calls.upstream} direction="upstream" />
      </div>
    </div>
  );
}
