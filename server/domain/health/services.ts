// Verdicts for services, their autoscalers and the regions that serve them.
import type { AutoscalerStatus, RegionTraffic, ServiceStats, Workload } from "../ports";
import { contrast, formatMs, formatPercent } from "./format";
import { DEFAULT_HEALTH_THRESHOLDS, type HealthThresholds } from "./thresholds";
import { above, crit, judge, unknown, warn, type Finding, type Health, type Levels } from "./verdict";

export type ServiceThresholds = HealthThresholds["services"];

/** The service levels alone (their warn levels are the SLOs). */
export const DEFAULT_SERVICE_SLO: ServiceThresholds = DEFAULT_HEALTH_THRESHOLDS.services;

/** "errors 2.3% > SLO 1%" at the warn level (the SLO), "errors 7.1% > 5%" at the crit level. */
function sloFinding(label: string, value: number, levels: Levels, render: (figure: number, extraDecimals: number) => string): Finding | null {
  return above(value, levels, (level) => {
    const [figure, limit] = contrast(value, level, render);
    return `${label} ${figure} > ${level === levels.warn ? "SLO " : ""}${limit}`;
  });
}

function ratioFinding(label: string, value: number, levels: Levels): Finding | null {
  return above(value, levels, (level) => {
    const [figure, limit] = contrast(value, level, formatPercent);
    return `${label} ${figure} > ${limit}`;
  });
}

function replicaFindings(workload: Workload, levels: Levels): Finding[] {
  if (workload.desiredReplicas === 0) return [crit("scaled to 0 replicas")];
  const missing = Math.max(0, workload.desiredReplicas - workload.availableReplicas);
  const finding = above(missing / workload.desiredReplicas, levels, () => `${missing} of ${workload.desiredReplicas} replicas unavailable`);
  return finding === null ? [] : [finding];
}

/**
 * A service in one region. Its figures judge it; the workload, when known, adds its replicas.
 * UNKNOWN without figures.
 */
export function serviceHealth(stats: ServiceStats | undefined, workload: Workload | undefined, thresholds: ServiceThresholds = DEFAULT_SERVICE_SLO): Health {
  if (!stats) return unknown("no metrics for this service");
  return judge([
    sloFinding("p95", stats.p95LatencyMs, thresholds.p95LatencyMs, formatMs),
    sloFinding("errors", stats.errorRatio, thresholds.errorRatio, formatPercent),
    ratioFinding("CPU", stats.cpuUtilisation, thresholds.cpuUtilisation),
    ...(workload ? replicaFindings(workload, thresholds.unavailableReplicas) : []),
  ]);
}

/** An HPA that cannot scale further while its CPU stays above target: the next step is raising its max. */
export function autoscalerHealth(hpa: AutoscalerStatus | undefined, thresholds: HealthThresholds["autoscalers"] = DEFAULT_HEALTH_THRESHOLDS.autoscalers): Health {
  if (!hpa) return unknown("no figures for this autoscaler");
  const atMax = hpa.currentReplicas >= hpa.maxReplicas;
  if (!atMax) return judge([]);
  const cpu = hpa.cpuUtilisation;
  if (cpu > thresholds.critCpuUtilisationAtMax) {
    const [figure, limit] = contrast(cpu, thresholds.critCpuUtilisationAtMax, formatPercent);
    return judge([crit(`at max ${hpa.maxReplicas} replicas with CPU ${figure} > ${limit}`)]);
  }
  if (cpu > hpa.targetCpuUtilisation) {
    const [figure, limit] = contrast(cpu, hpa.targetCpuUtilisation, formatPercent);
    return judge([warn(`at max ${hpa.maxReplicas} replicas with CPU ${figure} > target ${limit}`)]);
  }
  return judge([]);
}

export function regionHealth(traffic: RegionTraffic | undefined, thresholds: HealthThresholds["regions"] = DEFAULT_HEALTH_THRESHOLDS.regions): Health {
  if (!traffic) return unknown("no traffic figures for this region");
  return judge([ratioFinding("errors", traffic.errorRatio, thresholds.errorRatio)]);
}
