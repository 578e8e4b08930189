// A Redis cache's instances as read directly, one row each, with replication beside each
// replica: how far behind the primary it is and when it last acknowledged. A row that needs
// attention is tinted and says why in words under the table.
import clsx from "clsx";
import { formatRate } from "@/lib/format";
import { formatBytes, formatDuration } from "@/server/domain/health/format";
import { REPLICATION_LEVELS, worstTone, type InstanceRow, type LiveCacheDetail } from "./cache-detail-model";
import { toneText, UsageBar, type UsageTone } from "./caches-usage-bar";

const th = "px-1.5 py-0.5 font-medium whitespace-nowrap";
const td = "px-1.5 py-0.5 whitespace-nowrap tabular-nums";
const DASH = "–";

function UpState({ up }: { up: boolean }) {
  return (
    <span className={clsx("inline-flex items-center gap-1", up ? "text-emerald-700 dark:text-emerald-400" : "font-semibold text-red-700 dark:text-red-400")}>
      <span aria-hidden className={clsx("inline-block h-1.5 w-1.5 rounded-full", up ? "bg-emerald-500" : "bg-red-600")} />
      {up ? "up" : "down"}
    </span>
  );
}

function LinkState({ row }: { row: InstanceRow }) {
  if (row.role === "primary") return <span className="text-zinc-400">{DASH}</span>;
  const status = row.instance?.figures?.masterLinkStatus ?? row.link?.linkStatus ?? null;
  if (status === null) return <span className="text-zinc-500">{row.link ? row.link.state : DASH}</span>;
  return (
    <span className={status === "up" ? "text-emerald-700 dark:text-emerald-400" : "font-semibold text-red-700 dark:text-red-400"}>
      {status}
      {row.link && row.link.state !== "online" && <span className="ml-1 font-normal text-amber-700 dark:text-amber-400">({row.link.state})</span>}
    </span>
  );
}

const levelTone = (value: number, levels: { warn: number; crit: number }): UsageTone => (value >= levels.crit ? "crit" : value >= levels.warn ? "warn" : "normal");

export function CacheInstancesTable({ rows, detail, memoryTone, region }: { rows: InstanceRow[]; detail: LiveCacheDetail; memoryTone: UsageTone; region: string }) {
  // One line per instance, its worst tone, every reason: a replica in trouble usually has several.
  const findings = rows
    .filter((row) => row.findings.length > 0)
    .map((row) => ({ tone: worstTone(row.findings), reason: `${row.address} (${row.role}): ${row.findings.map((finding) => finding.reason).join("; ")}` }));
  return (
    <div className="min-w-0">
      <div className="overflow-x-auto">
        <table className="w-full border-collapse text-xs" data-testid="live-instances">
          <caption className="sr-only">
            Instances of the cache in {region} as read directly, with each replica&apos;s replication offset lag and last acknowledgement
          </caption>
          <thead className="text-zinc-500">
            <tr className="text-left">
              <th scope="col" className={th}>
                Address
              </th>
              <th scope="col" className={th}>
                Role
              </th>
              <th scope="col" className={th}>
                State
              </th>
              <th scope="col" className={th} title="the replica's own master_link_status">
                Link
              </th>
              <th scope="col" className={clsx(th, "text-right")} title="bytes of the primary's replication stream the replica has not acknowledged">
                Lag
              </th>
              <th scope="col" className={clsx(th, "text-right")} title="seconds since the replica's last acknowledgement (it acknowledges every second)">
                Last ack
              </th>
              <th scope="col" className={th}>
                Memory
              </th>
              <th scope="col" className={clsx(th, "text-right")}>
                Clients
              </th>
              <th scope="col" className={clsx(th, "text-right")} title="Redis's own estimate over its last ~1.6 s">
                ops/s
              </th>
              <th scope="col" className={clsx(th, "text-right")} title="keys in database 0">
                Keys
              </th>
              <th scope="col" className={clsx(th, "text-right")} title="SLOWLOG LEN">
                Slowlog
              </th>
              <th scope="col" className={th}>
                Version
              </th>
              <th scope="col" className={clsx(th, "text-right")}>
                Uptime
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const tone = worstTone(row.findings);
              const figures = row.instance?.figures ?? null;
              const lagTone = row.link ? levelTone(row.link.lagBytes, REPLICATION_LEVELS.lagBytes) : "normal";
              const ackTone = row.link ? levelTone(row.link.lastAckSeconds, REPLICATION_LEVELS.lastAckSeconds) : "normal";
              return (
                <tr
                  key={row.address}
                  className={clsx("border-t border-zinc-100 dark:border-zinc-800/70", tone === "crit" && "bg-red-50 dark:bg-red-950/40", tone === "warn" && "bg-amber-50 dark:bg-amber-950/30")}
                  data-testid="live-instance-row"
                  data-address={row.address}
                  data-role={row.role}
                  data-tone={tone}
                >
                  <td className="px-1.5 py-0.5 font-mono text-[11px] whitespace-nowrap">{row.address}</td>
                  <td className={clsx("px-1.5 py-0.5", row.role === "primary" && "font-semibold")}>{row.role}</td>
                  <td className="px-1.5 py-0.5 whitespace-nowrap">{row.instance ? <UpState up={row.instance.up} /> : <span className="text-zinc-500">not read</span>}</td>
                  <td className="px-1.5 py-0.5 whitespace-nowrap">
                    <LinkState row={row} />
                  </td>
                  <td className={clsx(td, "text-right", toneText(lagTone))} data-testid="replica-lag-bytes">
                    {row.link ? formatBytes(row.link.lagBytes) : DASH}
                  </td>
                  <td className={clsx(td, "text-right", toneText(ackTone))} data-testid="replica-last-ack">
                    {row.link ? `${row.link.lastAckSeconds} s ago` : DASH}
                  </td>
                  {figures ? (
                    <>
                      <td className={td}>
                        <span className="inline-flex items-center gap-1.5">
                          <UsageBar used={figures.usedMemoryBytes} max={figures.maxMemoryBytes} tone={memoryTone} label={`memory of ${row.address}`} showText={false} />
                          <span className={toneText(memoryTone)}>
                            {formatBytes(figures.usedMemoryBytes)}
                            <span className="text-zinc-500"> / {figures.maxMemoryBytes > 0 ? formatBytes(figures.maxMemoryBytes) : "no limit"}</span>
                          </span>
                        </span>
                      </td>
                      <td className={clsx(td, "text-right")}>{figures.connectedClients.toLocaleString("en-US")}</td>
                      <td className={clsx(td, "text-right")}>{formatRate(figures.instantaneousOpsPerSecond)}</td>
                      <td className={clsx(td, "text-right")}>{figures.keys.toLocaleString("en-US")}</td>
                      <td className={clsx(td, "text-right")}>{figures.slowlogLength.toLocaleString("en-US")}</td>
                      <td className={clsx(td, "font-mono text-[11px]")}>{figures.redisVersion || DASH}</td>
                      <td className={clsx(td, "text-right")}>{formatDuration(figures.uptimeSeconds * 1000)}</td>
                    </>
                  ) : (
                    <td colSpan={7} className="max-w-0 truncate px-1.5 py-0.5 text-red-700 dark:text-red-400" title={row.instance?.error ?? undefined}>
                      {row.instance ? (row.instance.error ?? "not answering") : "the primary lists it; Scaleplane does not read it"}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="mt-1 text-[11px] text-zinc-500 tabular-nums">
        Primary {detail.replication.primary || DASH} · replication offset {detail.replication.primaryOffset.toLocaleString("en-US")} · {detail.replication.connectedReplicas} replica
        {detail.replication.connectedReplicas === 1 ? "" : "s"} connected · flagged from {REPLICATION_LEVELS.lastAckSeconds.warn} s without an ack or {formatBytes(REPLICATION_LEVELS.lagBytes.warn)} behind
      </p>
      {findings.length > 0 && (
        <ul className="mt-1 space-y-0.5 text-xs" aria-label="Instance and replication problems" data-testid="replication-findings">
          {findings.map((finding, index) => (
            <li key={index} className={clsx("font-medium", toneText(finding.tone))}>
              {finding.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
