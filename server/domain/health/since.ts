// How long an entity has had its current verdict, for "CRIT since 09:14, 6 min".
import type { Verdict } from "./verdict";

export interface VerdictAt {
  /** epoch ms */
  t: number;
  verdict: Verdict;
}

export interface VerdictSpell {
  verdict: Verdict;
  /**
   * The first sample of the current verdict, epoch ms. It may have started at any time since the
   * sample before, so this is as precise as the history's sampling.
   */
  since: number;
}

/** Since when the latest verdict of a history (in any order) has held; null for no history. */
export function verdictSince(history: readonly VerdictAt[]): VerdictSpell | null {
  const ordered = [...history].sort((a, b) => a.t - b.t);
  const latest = ordered.at(-1);
  if (latest === undefined) return null;
  let since = latest.t;
  for (let i = ordered.length - 2; i >= 0; i -= 1) {
    const sample = ordered[i];
    if (sample === undefined || sample.verdict !== latest.verdict) break;
    since = sample.t;
  }
  return { verdict: latest.verdict, since };
}
