// A service's health verdict from its figures. Pure. (Configurable SLOs come with the health views.)
import type { ServiceStats, Workload } from "./ports";

export type Verdict = "OK" | "WARN" | "CRIT" | "UNKNOWN";

export interface ServiceHealth {
  verdict: Verdict;
  reasons: string[];
}

export const DEFAULT_SERVICE_SLO = {
  p95LatencyMs: { warn: 300, crit: 800 },
  errorRatio: { warn: 0.01, crit: 0.05 },
  cpuUtilisation: { warn: 0.8, crit: 0.95 },
};

const RANK: Record<Verdict, number> = { UNKNOWN: 0, OK: 1, WARN: 2, CRIT: 3 };

export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = "UNKNOWN";
  for (const verdict of verdicts) if (RANK[verdict] > RANK[worst]) worst = verdict;
  return worst;
}

export function serviceHealth(stats: ServiceStats | undefined, workload: Workload | undefined, slo = DEFAULT_SERVICE_SLO): ServiceHealth {
  if (!stats || !workload) return { verdict: "UNKNOWN", reasons: ["no metrics for this service"] };
  const reasons: string[] = [];
  const verdicts: Verdict[] = ["OK"];
  const check = (value: number, limits: { warn: number; crit: number }, describe: (limit: number) => string) => {
    if (value > limits.crit) {
      verdicts.push("CRIT");
      reasons.push(describe(limits.crit));
    } else if (value > limits.warn) {
      verdicts.push("WARN");
      reasons.push(describe(limits.warn));
    }
  };
  check(stats.p95LatencyMs, slo.p95LatencyMs, (limit) => `p95 ${Math.round(stats.p95LatencyMs)} ms > ${limit} ms`);
  check(stats.errorRatio, slo.errorRatio, (limit) => `errors ${(stats.errorRatio * 100).toFixed(1)}% > ${limit * 100}%`);
  check(stats.cpuUtilisation, slo.cpuUtilisation, (limit) => `CPU ${Math.round(stats.cpuUtilisation * 100)}% > ${limit * 100}%`);
  if (workload.availableReplicas < workload.desiredReplicas) {
    verdicts.push("WARN");
    reasons.push(`${workload.availableReplicas}/${workload.desiredReplicas} replicas available`);
  }
  if (workload.desiredReplicas === 0) {
    verdicts.push("CRIT");
    reasons.push("scaled to 0");
  }
  return { verdict: worstVerdict(verdicts), reasons };
}
