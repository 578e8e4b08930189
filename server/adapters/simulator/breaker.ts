// Circuit breaker and retries on one call edge, resilience4j-style. Pure.
//   closed    → open       when the dependency's error ratio reaches the failure threshold;
//   open      → half-open  after the cool-down;
//   half-open → closed     when the trial calls succeed for a few seconds, → open when they fail.

export type BreakerState = "closed" | "open" | "half-open";

export interface Breaker {
  state: BreakerState;
  /** When it entered this state. */
  since: number;
  /** Set by an operator: the breaker stays in this state until released. */
  forced: boolean;
}

/** resilience4j's default failureRateThreshold. */
export const BREAKER_FAILURE_THRESHOLD = 0.5;
export const BREAKER_OPEN_MS = 30_000;
export const BREAKER_HALF_OPEN_TRIAL_MS = 5_000;
/** Retries after the first attempt. */
export const MAX_RETRIES = 2;

export const closedBreaker = (since: number): Breaker => ({ state: "closed", since, forced: false });

export function nextBreaker(breaker: Breaker, dependencyErrorRatio: number, now: number): Breaker {
  if (breaker.forced) return breaker;
  const failing = dependencyErrorRatio >= BREAKER_FAILURE_THRESHOLD;
  switch (breaker.state) {
    case "closed":
      return failing ? { state: "open", since: now, forced: false } : breaker;
    case "open":
      return now - breaker.since >= BREAKER_OPEN_MS ? { state: "half-open", since: now, forced: false } : breaker;
    case "half-open":
      if (failing) return { state: "open", since: now, forced: false };
      return now - breaker.since >= BREAKER_HALF_OPEN_TRIAL_MS ? { state: "closed", since: now, forced: false } : breaker;
  }
}

export interface EdgeEffect {
  /** Share of the caller's requests that fail because of this edge. */
  failedShare: number;
  /** Latency this edge adds to the caller's p95. */
  addedLatencyMs: number;
  /** Share of the caller's requests that call the dependency (0 when the breaker refuses). */
  calledShare: number;
  /** Share of the caller's requests whose call needed at least one retry. */
  retriedShare: number;
}

/**
 * A closed breaker lets calls through and retries each failure (independent attempts), so
 * only e^(1+retries) of the calls fail, and the waits add up. Open or half-open, it refuses
 * (half-open lets a trickle of trial calls through, left out here): the requests that need the
 * dependency fail fast, and those do not wait on it.
 */
export function edgeEffect(state: BreakerState, callShare: number, dependencyErrorRatio: number, dependencyP95Ms: number): EdgeEffect {
  if (state !== "closed") return { failedShare: callShare, addedLatencyMs: 0, calledShare: 0, retriedShare: 0 };
  const e = Math.min(1, Math.max(0, dependencyErrorRatio));
  return {
    failedShare: callShare * e ** (1 + MAX_RETRIES),
    addedLatencyMs: callShare * dependencyP95Ms * (1 + e + e * e),
    calledShare: callShare,
    retriedShare: callShare * e,
  };
}
