// How far a long-running action got, from the progress its execution records: a replay's
// copied messages, an invalidation's deleted keys, a warm-up's loaded keys.
import clsx from "clsx";

export interface ProgressView {
  /** "replayed 1,200 of 5,000 messages" */
  text: string;
  /** Share done, 0..1; null when the total is not known in advance (an invalidation's SCAN). */
  ratio: number | null;
  done: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);
const count = (value: number) => Math.round(value).toLocaleString("en-US");
const share = (part: number, whole: number) => (whole > 0 ? Math.min(1, Math.max(0, part / whole)) : 1);

/** Reads the JSON an execution reported; null when it holds nothing this page knows how to show. */
export function readProgress(value: unknown): ProgressView | null {
  if (!isRecord(value)) return null;
  const done = value.done === true;
  const replayed = num(value.replayed);
  const planned = num(value.planned);
  if (replayed !== null && planned !== null) {
    return { text: `replayed ${count(replayed)} of ${count(planned)} messages`, ratio: share(replayed, planned), done };
  }
  const loaded = num(value.loaded);
  const total = num(value.total);
  if (loaded !== null && total !== null) {
    const failed = num(value.failed) ?? 0;
    return { text: `loaded ${count(loaded)} of ${count(total)} keys${failed > 0 ? `, ${count(failed)} failed` : ""}`, ratio: share(loaded + failed, total), done };
  }
  const deleted = num(value.deleted);
  const scanned = num(value.scanned);
  if (deleted !== null && scanned !== null) {
    // SCAN does not know the keyspace's end in advance: no share until it is done.
    return { text: `deleted ${count(deleted)} keys, ${count(scanned)} scanned`, ratio: done ? 1 : null, done };
  }
  return null;
}

/** The bar and its sentence. `running` animates an unknown total while the execution goes on. */
export function ProgressBar({ progress, running, testId = "action-progress" }: { progress: ProgressView; running: boolean; testId?: string }) {
  const percent = progress.ratio === null ? null : Math.round(progress.ratio * 100);
  return (
    <div className="space-y-1" data-testid={testId} data-done={progress.done}>
      <div
        role="progressbar"
        aria-label={progress.text}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        className="relative h-2 overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800"
      >
        {percent !== null ? (
          <div className={clsx("h-full rounded transition-[width]", progress.done ? "bg-emerald-500" : "bg-sky-500")} style={{ width: `${percent}%` }} />
        ) : (
          <div className={clsx("absolute inset-y-0 w-1/3 rounded bg-sky-500", running ? "animate-pulse" : "opacity-40")} />
        )}
      </div>
      <p className="text-xs tabular-nums text-zinc-700 dark:text-zinc-300">
        {progress.text}
        {percent !== null && <span className="text-zinc-500"> · {percent}%</span>}
        {progress.done && <span className="text-emerald-700 dark:text-emerald-400"> · done</span>}
      </p>
    </div>
  );
}
