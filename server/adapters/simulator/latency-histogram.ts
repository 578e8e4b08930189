// Request durations as a histogram: a log-normal distribution whose 95th percentile is the
// simulated p95, spread over the buckets the OpenTelemetry semantic conventions recommend
// for `http.server.request.duration`. Pure.

/** Upper bounds in seconds; +Inf is implicit. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Spread of ln(duration): the median is p95 / e^(1.645 σ) ≈ p95 / 2.7. */
const SIGMA = 0.6;
const Z_95 = 1.6448536269514722;
const LOG_BOUNDS = DURATION_BUCKETS_SECONDS.map(Math.log);

/** Abramowitz & Stegun 7.1.26; absolute error below 1.5e-7, plenty for counts. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return sign * y;
}

/**
 * Writes into `into` the share of requests at or under each bucket bound (cumulative, like
 * Prometheus' `le` buckets; the +Inf share, 1, is left out). Allocation-free: it runs for
 * every service every second.
 */
export function cumulativeShares(p95Seconds: number, into: Float64Array): void {
  const mu = Math.log(p95Seconds) - Z_95 * SIGMA;
  for (let i = 0; i < LOG_BOUNDS.length; i++) {
    into[i] = 0.5 * (1 + erf(((LOG_BOUNDS[i] ?? 0) - mu) / (SIGMA * Math.SQRT2)));
  }
}

export function meanDurationSeconds(p95Seconds: number): number {
  return Math.exp(Math.log(p95Seconds) - Z_95 * SIGMA + (SIGMA * SIGMA) / 2);
}
