// The Sentinels' view of a Redis cache: which primary they agree on, how many agree, whether a
// failover could be authorised right now, and each Sentinel's own answer. Disagreement and a
// missing quorum are spelled out in red above the table, not left to be read from it.
import clsx from "clsx";
import { canFailOver, masterVotes, sentinelFindings, worstTone, type LiveSentinelStatus } from "./cache-detail-model";
import { toneText } from "./caches-usage-bar";

const th = "px-1.5 py-0.5 font-medium whitespace-nowrap";
const td = "px-1.5 py-0.5 whitespace-nowrap tabular-nums";
const DASH = "–";

function Flags({ flags }: { flags: string[] }) {
  if (flags.length === 0) return <span className="text-zinc-400">{DASH}</span>;
  return (
    <span className="inline-flex flex-wrap gap-0.5">
      {flags.map((flag) => (
        <span
          key={flag}
          className={clsx(
            "rounded-sm px-1 font-mono text-[10px] leading-4",
            flag === "s_down" || flag === "o_down" ? "bg-red-600 text-white" : "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
          )}
        >
          {flag}
        </span>
      ))}
    </span>
  );
}

export function CacheSentinelPanel({ sentinel, primaryRead }: { sentinel: LiveSentinelStatus; primaryRead: string }) {
  const findings = sentinelFindings(sentinel, primaryRead);
  const tone = worstTone(findings);
  const failover = canFailOver(sentinel);
  // The primary the server settled on; a Sentinel naming another one dissents.
  const majority = sentinel.master ?? masterVotes(sentinel)[0]?.master ?? null;
  return (
    <div className="min-w-0" data-testid="sentinel-panel" data-tone={tone} data-failover={failover}>
      <p className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5 text-xs">
        <span>
          <span className="text-zinc-500">master </span>
          <span className="font-mono">{sentinel.masterName}</span>
          <span className="text-zinc-500"> → </span>
          <span className={clsx("font-mono font-semibold", !sentinel.master && "text-red-700 dark:text-red-400")} data-testid="sentinel-master">
            {sentinel.master ?? "none named"}
          </span>
        </span>
        <span className={clsx("tabular-nums", sentinel.quorum !== null && sentinel.agreeing < sentinel.quorum && toneText("crit"))} data-testid="sentinel-agreeing">
          {sentinel.agreeing} of {sentinel.configured} agree
        </span>
        <span className="tabular-nums">quorum {sentinel.quorum ?? DASH}</span>
        <span className={clsx("tabular-nums", sentinel.reachable < sentinel.configured && toneText(sentinel.quorum !== null && sentinel.reachable < sentinel.quorum ? "crit" : "warn"))} data-testid="sentinel-reachable">
          {sentinel.reachable} of {sentinel.configured} reachable
        </span>
        <span
          className={clsx(
            "rounded px-1.5 text-[11px] font-semibold",
            failover ? "bg-emerald-50 text-emerald-800 ring-1 ring-emerald-300 ring-inset dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-800" : "bg-red-600 text-white",
          )}
          data-testid="sentinel-failover"
        >
          {failover ? "can fail over" : "cannot fail over"}
        </span>
      </p>
      {/* A failing CKQUORUM is among the findings below, in red. */}
      {sentinel.ckquorum?.ok && (
        <p className="mt-0.5 text-[11px] text-zinc-500" data-testid="sentinel-ckquorum">
          CKQUORUM: {sentinel.ckquorum.message}
        </p>
      )}
      {findings.length > 0 && (
        <ul className="mt-1 space-y-0.5 text-xs" aria-label="Sentinel problems" data-testid="sentinel-findings">
          {findings.map((finding, index) => (
            <li key={index} className={clsx("font-medium", toneText(finding.tone))}>
              {finding.reason}
            </li>
          ))}
        </ul>
      )}
      <div className="mt-1.5 overflow-x-auto">
        <table className="w-full border-collapse text-xs" data-testid="sentinel-table">
          <caption className="sr-only">Each Sentinel&apos;s answer about the master {sentinel.masterName}</caption>
          <thead className="text-zinc-500">
            <tr className="text-left">
              <th scope="col" className={th}>
                Sentinel
              </th>
              <th scope="col" className={th}>
                State
              </th>
              <th scope="col" className={th}>
                Names primary
              </th>
              <th scope="col" className={th}>
                Flags
              </th>
              <th scope="col" className={clsx(th, "text-right")}>
                Quorum
              </th>
              <th scope="col" className={clsx(th, "text-right")} title="Sentinels it knows for this master, itself included">
                Sentinels
              </th>
              <th scope="col" className={clsx(th, "text-right")} title="replicas it knows for this master">
                Replicas
              </th>
              <th scope="col" className={th}>
                CKQUORUM
              </th>
            </tr>
          </thead>
          <tbody>
            {sentinel.sentinels.map((view) => {
              const dissents = view.up && view.master !== null && majority !== null && view.master !== majority;
              const bad = !view.up || dissents || view.ckquorum?.ok === false;
              return (
                <tr
                  key={view.address}
                  className={clsx("border-t border-zinc-100 dark:border-zinc-800/70", bad && "bg-red-50 dark:bg-red-950/40")}
                  data-testid="sentinel-row"
                  data-address={view.address}
                  data-up={view.up}
                >
                  <td className="px-1.5 py-0.5 font-mono text-[11px] whitespace-nowrap">{view.address}</td>
                  <td className="px-1.5 py-0.5 whitespace-nowrap">
                    <span className={clsx("inline-flex items-center gap-1", view.up ? "text-emerald-700 dark:text-emerald-400" : "font-semibold text-red-700 dark:text-red-400")}>
                      <span aria-hidden className={clsx("inline-block h-1.5 w-1.5 rounded-full", view.up ? "bg-emerald-500" : "bg-red-600")} />
                      {view.up ? "up" : "down"}
                    </span>
                  </td>
                  {view.up ? (
                    <>
                      <td className={clsx("px-1.5 py-0.5 font-mono text-[11px] whitespace-nowrap", dissents && toneText("crit"))}>
                        {view.master ?? DASH}
                        {/* Under the address: the table stays narrow enough for half the page. */}
                        {dissents && <span className="block font-sans text-[10px]">disagrees</span>}
                      </td>
                      <td className="px-1.5 py-0.5">
                        <Flags flags={view.masterFlags} />
                      </td>
                      <td className={clsx(td, "text-right")}>{view.quorum ?? DASH}</td>
                      <td className={clsx(td, "text-right", view.knownSentinels !== null && view.knownSentinels < sentinel.configured && toneText("warn"))}>{view.knownSentinels ?? DASH}</td>
                      <td className={clsx(td, "text-right")}>{view.knownReplicas ?? DASH}</td>
                      <td className={clsx("px-1.5 py-0.5", view.ckquorum && !view.ckquorum.ok && toneText("crit"))} title={view.ckquorum?.message}>
                        {view.ckquorum ? (view.ckquorum.ok ? "OK" : "fails") : DASH}
                      </td>
                    </>
                  ) : (
                    <td colSpan={6} className="max-w-0 truncate px-1.5 py-0.5 text-red-700 dark:text-red-400" title={view.error ?? undefined}>
                      {view.error ?? "not answering"}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
