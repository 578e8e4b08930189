// The platform the simulator runs: regions and services, sized so that the busiest hour of
// each region still fits inside every service's replica bounds.

export interface RegionSpec {
  name: string;
  /** Share of global traffic this region receives. */
  trafficWeight: number;
  /** Hour (UTC) of the region's daily traffic peak. */
  peakHourUtc: number;
}

export interface ServiceSpec {
  namespace: string;
  name: string;
  /** Global requests per second averaged over a day, before region weights. */
  meanRps: number;
  /** Requests per second one replica serves at 100 % of its CPU request. */
  capacityPerReplicaRps: number;
  /** p95 latency of an idle replica. */
  baseLatencyMs: number;
  /** Errors that happen whatever the load (bad input, downstream blips). */
  baseErrorRatio: number;
  minReplicas: number;
  maxReplicas: number;
  /** CPU utilisation the initial replica count is sized for; above 0.9 starts overloaded. */
  startingUtilisation: number;
}

export const REGIONS: readonly RegionSpec[] = [
  { name: "eu-west-1", trafficWeight: 0.6, peakHourUtc: 13 },
  { name: "us-east-1", trafficWeight: 0.4, peakHourUtc: 19 },
];

/** How far traffic swings around its daily mean (0.35 → trough 0.65×, peak 1.35×). */
export const DIURNAL_AMPLITUDE = 0.35;

const service = (
  namespace: string,
  name: string,
  meanRps: number,
  capacityPerReplicaRps: number,
  baseLatencyMs: number,
  baseErrorRatio: number,
  minReplicas: number,
  maxReplicas: number,
  startingUtilisation: number,
): ServiceSpec => ({
  namespace, name, meanRps, capacityPerReplicaRps, baseLatencyMs, baseErrorRatio,
  minReplicas, maxReplicas, startingUtilisation,
});

export const SERVICES: readonly ServiceSpec[] = [
  service("checkout", "checkout-api", 900, 120, 45, 0.002, 2, 30, 0.6),
  // The demo's problem to fix: sized for 92 % CPU or more, so latency and errors are already up.
  service("checkout", "payments", 1500, 60, 70, 0.003, 3, 60, 0.92),
  service("checkout", "cart", 1200, 150, 25, 0.001, 2, 30, 0.55),
  service("catalog", "catalog-api", 2500, 200, 35, 0.001, 3, 40, 0.6),
  service("catalog", "search", 1800, 90, 60, 0.002, 3, 50, 0.7),
  service("catalog", "inventory", 700, 100, 30, 0.001, 2, 20, 0.5),
  service("platform", "auth", 3000, 300, 15, 0.0005, 3, 40, 0.5),
  service("platform", "gateway", 6000, 500, 10, 0.0005, 3, 50, 0.55),
];
