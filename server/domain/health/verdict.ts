// Verdicts and the findings they are made of. A finding is one figure past one level, with the
// sentence that says so; an entity's verdict is its worst finding.

export type Verdict = "OK" | "WARN" | "CRIT" | "UNKNOWN";

/** An entity's verdict and why: short sentences with the figures and the levels they crossed. */
export interface Health {
  verdict: Verdict;
  reasons: string[];
}

export interface Finding {
  verdict: Exclude<Verdict, "OK">;
  reason: string;
}

/** A warn and a crit level; null turns that level off. */
export interface Levels {
  warn: number | null;
  crit: number | null;
}

// UNKNOWN ranks lowest: one entity without figures must not hide the others' verdicts.
const RANK: Record<Verdict, number> = { UNKNOWN: 0, OK: 1, WARN: 2, CRIT: 3 };

export function compareVerdicts(a: Verdict, b: Verdict): number {
  return RANK[a] - RANK[b];
}

/** The worst of some verdicts; UNKNOWN when there are none or all are UNKNOWN. */
export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = "UNKNOWN";
  for (const verdict of verdicts) if (RANK[verdict] > RANK[worst]) worst = verdict;
  return worst;
}

export const unknown = (reason: string): Health => ({ verdict: "UNKNOWN", reasons: [reason] });

/**
 * The verdict of some findings over a starting verdict (OK when the figures were all judged;
 * UNKNOWN when part of them could not be). Reasons are listed worst first.
 */
export function judge(findings: ReadonlyArray<Finding | null | undefined>, base: Verdict = "OK"): Health {
  const found = findings.filter((finding): finding is Finding => finding != null);
  const ordered = [...found].sort((a, b) => compareVerdicts(b.verdict, a.verdict));
  return { verdict: worstVerdict([base, ...found.map((finding) => finding.verdict)]), reasons: ordered.map((finding) => finding.reason) };
}

type Describe = (limit: number) => string;

// A figure that is not a number (a 0/0 rate) says nothing, so it crosses no level.

/** More is worse, and reaching the level is fine: WARN above `warn`, CRIT above `crit`. */
export function above(value: number, levels: Levels, describe: Describe): Finding | null {
  if (!Number.isFinite(value)) return null;
  if (levels.crit !== null && value > levels.crit) return { verdict: "CRIT", reason: describe(levels.crit) };
  if (levels.warn !== null && value > levels.warn) return { verdict: "WARN", reason: describe(levels.warn) };
  return null;
}

/** For counts: WARN from `warn` on, CRIT from `crit` on. */
export function atLeast(value: number, levels: Levels, describe: Describe): Finding | null {
  if (!Number.isFinite(value)) return null;
  if (levels.crit !== null && value >= levels.crit) return { verdict: "CRIT", reason: describe(levels.crit) };
  if (levels.warn !== null && value >= levels.warn) return { verdict: "WARN", reason: describe(levels.warn) };
  return null;
}

/** Less is worse: WARN below `warn`, CRIT below `crit`. */
export function below(value: number, levels: Levels, describe: Describe): Finding | null {
  if (!Number.isFinite(value)) return null;
  if (levels.crit !== null && value < levels.crit) return { verdict: "CRIT", reason: describe(levels.crit) };
  if (levels.warn !== null && value < levels.warn) return { verdict: "WARN", reason: describe(levels.warn) };
  return null;
}

export const warn = (reason: string): Finding => ({ verdict: "WARN", reason });
export const crit = (reason: string): Finding => ({ verdict: "CRIT", reason });
