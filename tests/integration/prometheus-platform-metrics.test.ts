// Regions, autoscalers, call edges and services read through a real Prometheus that scrapes the
// ticking fleet simulator, compared field by field with the simulator's own answers (its ground
// truth) for every entity, in steady state and while incidents unfold.
//
// How the two are compared. The simulator moves one step a second and its counters advance by
// that second's figures; Prometheus answers at the start of the cache's second from the
// scrapes before it. So:
// - a gauge read through Prometheus is the simulator's value at one of the ticks a recent
//   scrape saw (the last ~3 s before the query time);
// - a rate over the 5 s window is the mean of the figures of the steps between the window's
//   first and last scrape (three or four of them), so it lies between the smallest and the
//   largest truth of the window's ticks, within 1 % (scrape timestamps jitter by milliseconds);
// - a ratio of two rates (error ratio, CPU) is a weighted mean of the steps' ratios: same bounds;
// - a p95 from histogram_quantile() lies in the histogram bucket of the true p95 (it
//   interpolates linearly inside the bucket that holds the 95th percentile).
// The exporters count whole requests and calls (counters floored), so a counter's increase over
// the window is off by less than one, which the bounds add where it matters (see `slack`).
//
// The simulator's own one-second timer ticks at a phase unrelated to the scrapes: when the two
// fall within a few milliseconds of each other a scrape may or may not see a step, and a window
// counts three or five steps instead of four (a rate off by 25 %). The test therefore ticks the
// fleet itself, half a second after each scrape, and records the truth at each tick. A tick or a
// scrape delayed by half a second on a busy machine still does it once in a while; the sample at
// fault leaves the window's ends within two seconds, so a comparison that disagrees is made
// again at the next second, up to three times: a wrong query disagrees every time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AutoscalerStatus, DependencyStats, Observed, RegionTraffic, ServiceStats } from "../../server/domain/ports";
import type { CachedPrometheus } from "../../server/adapters/prometheus/cache";
import { PrometheusPlatformMetrics } from "../../server/adapters/prometheus/platform-metrics";
import { vectorSamples } from "../../server/adapters/prometheus/results";
import { PrometheusServiceMetrics } from "../../server/adapters/prometheus/service-metrics";
import { cumulativeShares, DURATION_BUCKETS_SECONDS } from "../../server/adapters/simulator/latency-histogram";
import { waitUntil } from "../helpers/prometheus";
import { startSimulatedPrometheus, TEST_RATE_WINDOW_SECONDS, type SimulatedPrometheus } from "../helpers/simulated-prometheus";

/** The simulator's answers right after one tick. */
interface Truth {
  /** Wall-clock time of the tick, epoch ms. */
  at: number;
  regions: RegionTraffic[];
  autoscalers: AutoscalerStatus[];
  dependencies: DependencyStats[];
  services: ServiceStats[];
}

/** Relative slack of a rate: scrape timestamps jitter by a few milliseconds over a 3-4 s span. */
const RELATIVE = 0.01;
/**
 * Seconds between the window's first and last scrape: four, or three when the query time falls
 * just after a scrape that Prometheus has not stored yet. rate() divides the increase by it.
 */
const SHORTEST_SPAN_SECONDS = TEST_RATE_WINDOW_SECONDS - 2;
/** Ticks a gauge may come from: the last scrape before the query time saw one of these. */
const GAUGE_LOOKBACK_MS = 3000;
/** Ticks a rate may count: those between the window's first and last scrape, with a second's margin for a late tick. */
const RATE_LOOKBACK_MS = (TEST_RATE_WINDOW_SECONDS + 1) * 1000;
const BUCKET_BOUNDS_MS = DURATION_BUCKETS_SECONDS.map((bound) => bound * 1000);

/** What whole counts do to a figure read over the window. */
const slack = {
  /** A rate summed over `counters` floored counters: each increase is off by less than one. */
  rate: (counters: number) => counters / SHORTEST_SPAN_SECONDS,
  /**
   * A ratio failed / all over floored counters (`failedCounters` of them, as many others), at
   * `perSecond` of the whole: (E + d) / (N + d + d') differs from E / N by less than
   * failedCounters / (N - 2 failedCounters).
   */
  ratio: (perSecond: number, failedCounters = 1) => {
    const fewest = perSecond * SHORTEST_SPAN_SECONDS - 2 * failedCounters;
    return fewest > 0 ? failedCounters / fewest : Number.POSITIVE_INFINITY;
  },
  /**
   * A bucket's cumulative share (B + b) / (N + n) of an ok and a failed histogram, at
   * `perSecond`: |b|, |n| < 2, so it differs from B / N by less than 4 / (N - 2).
   */
  share: (perSecond: number) => {
    const fewest = perSecond * SHORTEST_SPAN_SECONDS - 2;
    return fewest > 0 ? 4 / fewest : Number.POSITIVE_INFINITY;
  },
};

let simulated: SimulatedPrometheus;
let platformMetrics: PrometheusPlatformMetrics;
let serviceMetrics: PrometheusServiceMetrics;
const truths: Truth[] = [];
let ticker: { stop(): void } | undefined;

/** Ticks the fleet half a second after each scrape, recording the truth each time. */
function tickBetweenScrapes(scrapePhaseMs: number): { stop(): void } {
  const { fleet, metrics } = simulated.platform;
  fleet.stop();
  const tickPhaseMs = (scrapePhaseMs + 500) % 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const schedule = () => {
    const delay = (tickPhaseMs - (Date.now() % 1000) + 1000) % 1000 || 1000;
    timer = setTimeout(async () => {
      if (stopped) return;
      fleet.tick(Date.now());
      const at = Date.now();
      // Each answer is computed when called, before the first await: all of this tick.
      const [regions, autoscalers, dependencies, services] = await Promise.all([
        metrics.regionTraffic(), metrics.autoscalers(), metrics.dependencies(), metrics.currentServiceStats(),
      ]);
      truths.push({ at, regions, autoscalers, dependencies, services });
      if (truths.length > 60) truths.shift();
      schedule();
    }, delay);
  };
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

const latest = (): Truth => {
  const truth = truths.at(-1);
  if (!truth) throw new Error("no tick recorded yet");
  return truth;
};

/** The figures of one entity at each tick of a stretch of time. */
class Seen<T> {
  constructor(readonly values: T[]) {}

  min(field: (entity: T) => number): number {
    return Math.min(...this.values.map(field));
  }

  max(field: (entity: T) => number): number {
    return Math.max(...this.values.map(field));
  }
}

/** Checks one entity's answer against the truths; collects what disagrees. */
class Check<T> {
  constructor(
    private readonly key: string,
    private readonly actual: T,
    /** The entity at the ticks the last scrape may have seen. */
    readonly atScrape: Seen<T>,
    /** The entity at the ticks of the rate window. */
    readonly inWindow: Seen<T>,
    private readonly mismatches: string[],
  ) {}

  /** Exactly the value of a tick the last scrape saw. */
  gauge<V>(name: string, field: (entity: T) => V): void {
    const seen = this.atScrape.values.map(field);
    if (!seen.includes(field(this.actual))) this.mismatches.push(`${this.key} ${name}: ${String(field(this.actual))}, the simulator's ${seen.map(String).join(" / ")}`);
  }

  /** Between `low` and `high`, computed by the caller from the truths. */
  within(name: string, field: (entity: T) => number, low: number, high: number): void {
    const value = field(this.actual);
    if (!(value >= low && value <= high)) this.mismatches.push(`${this.key} ${name}: ${value}, expected ${low}..${high}`);
  }

  /** Between the lowest and highest truth of the window, within 1 % and `absolute`. */
  rate(name: string, field: (entity: T) => number, absolute = 1e-9): void {
    const low = this.inWindow.min(field);
    const high = this.inWindow.max(field);
    const value = field(this.actual);
    if (!(value >= low * (1 - RELATIVE) - absolute && value <= high * (1 + RELATIVE) + absolute)) {
      this.mismatches.push(`${this.key} ${name}: ${value}, the simulator's ${low}..${high} (± ${absolute})`);
    }
  }

  /**
   * In the bucket of the true p95 (the lowest's to the highest's in the window), or across the
   * bucket bounds whose true share is within `shareSlack` of 0.95: whole counts can move the
   * 95th rank to the other side of them (a consumer of a message a second can land anywhere).
   */
  p95(field: (entity: T) => number, shareSlack: number): void {
    const lowest = this.inWindow.min(field);
    const highest = this.inWindow.max(field);
    const shares = (p95Ms: number) => {
      const into = new Float64Array(BUCKET_BOUNDS_MS.length);
      cumulativeShares(Math.max(1e-4, p95Ms / 1000), into);
      return into;
    };
    const lowestShares = shares(lowest);
    const highestShares = shares(highest);
    let lowIndex = bucketIndex(lowest);
    while (lowIndex > 0 && (lowestShares[lowIndex - 1] ?? 0) >= 0.95 - shareSlack) lowIndex--;
    let highIndex = bucketIndex(highest);
    while (highIndex < BUCKET_BOUNDS_MS.length - 1 && (highestShares[highIndex] ?? 1) <= 0.95 + shareSlack) highIndex++;
    const low = BUCKET_BOUNDS_MS[lowIndex - 1] ?? 0;
    const high = BUCKET_BOUNDS_MS[highIndex] ?? BUCKET_BOUNDS_MS.at(-1) ?? 0;
    const value = field(this.actual);
    if (!(value >= low - 1e-6 && value <= high + 1e-6)) {
      this.mismatches.push(`${this.key} p95: ${value} ms, the simulator's ${lowest}..${highest} ms (buckets ${low}..${high} ms)`);
    }
  }
}

/** Index of the bucket whose upper bound is the first at or above `ms`; above the last bound, the last (histogram_quantile() answers the last bound). */
function bucketIndex(ms: number): number {
  const index = BUCKET_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return index < 0 ? BUCKET_BOUNDS_MS.length - 1 : index;
}

async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 50));
}

/**
 * Reads `read` through Prometheus and checks every entity of its answer against the simulator's
 * (same set of entities, each field by `check`); at most three times, a second apart (see top).
 */
async function agreed<T>(
  read: () => Promise<Observed<T[]>>,
  entities: (truth: Truth) => T[],
  keyOf: (entity: T) => string,
  check: (entity: Check<T>, window: Truth[]) => void,
): Promise<T[]> {
  let mismatches: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    if (attempt > 1) await nextSecond();
    const evaluatedFrom = Math.floor(Date.now() / 1000) * 1000;
    const answer = await read();
    const evaluatedTo = Math.floor(Date.now() / 1000) * 1000;
    expect(answer.stale).toBe(false);
    expect(answer.value.map(keyOf).sort()).toEqual(entities(latest()).map(keyOf).sort());
    const between = (lookbackMs: number) => truths.filter((truth) => truth.at >= evaluatedFrom - lookbackMs && truth.at <= evaluatedTo);
    const atScrape = between(GAUGE_LOOKBACK_MS);
    const inWindow = between(RATE_LOOKBACK_MS);
    mismatches = [];
    for (const actual of answer.value) {
      const key = keyOf(actual);
      const find = (truth: Truth) => entities(truth).find((entity) => keyOf(entity) === key);
      const values = (stretch: Truth[]) => new Seen(stretch.flatMap((truth) => find(truth) ?? []));
      check(new Check(key, actual, values(atScrape), values(inWindow), mismatches), inWindow);
    }
    if (mismatches.length === 0) return answer.value;
  }
  expect(mismatches).toEqual([]);
  return [];
}

/** The simulator's HTTP services (not its Kafka consumers), by workload key. */
const httpServices = () => simulated.platform.fleet.workloadStates().filter((w) => w.spec.kind === "service").map((w) => workloadKey(w.ref));

const regionKey = (region: RegionTraffic) => `${region.environment}/${region.region}`;
const workloadKey = (entity: { environment: string; namespace: string; name: string; region: string }) => `${entity.environment}/${entity.namespace}/${entity.name}@${entity.region}`;
const edgeKey = (edge: DependencyStats) => `${workloadKey(edge)}→${edge.dependency}`;

function compareRegions(): Promise<RegionTraffic[]> {
  return agreed(() => platformMetrics.regionTraffic(), (truth) => truth.regions, regionKey, (region) => {
    const name = region.inWindow.values[0]?.region ?? "";
    // Each HTTP service of the region adds an ok and a failed counter.
    const services = httpServices().filter((key) => key.endsWith(`@${name}`)).length;
    const fewest = region.inWindow.min((r) => r.requestsPerSecond);
    region.gauge("trafficWeight", (r) => r.trafficWeight);
    region.rate("requestsPerSecond", (r) => r.requestsPerSecond, slack.rate(2 * services));
    region.rate("errorRatio", (r) => r.errorRatio, slack.ratio(fewest, services));
  });
}

function compareAutoscalers(): Promise<AutoscalerStatus[]> {
  return agreed(() => platformMetrics.autoscalers(), (truth) => truth.autoscalers, workloadKey, (hpa) => {
    hpa.gauge("minReplicas", (h) => h.minReplicas);
    hpa.gauge("maxReplicas", (h) => h.maxReplicas);
    // The HPA spec holds a whole percent; the simulator's targets are not all whole.
    hpa.rate("targetCpuUtilisation", (h) => h.targetCpuUtilisation, 0.005);
    hpa.gauge("currentReplicas", (h) => h.currentReplicas);
    hpa.gauge("desiredReplicas", (h) => h.desiredReplicas);
    hpa.rate("cpuUtilisation", (h) => h.cpuUtilisation);
  });
}

function compareDependencies(): Promise<DependencyStats[]> {
  return agreed(() => platformMetrics.dependencies(), (truth) => truth.dependencies, edgeKey, (edge, window) => {
    const sample = edge.inWindow.values[0];
    const callee = (truth: Truth) => truth.services.find((s) => s.name === sample?.dependency && s.region === sample.region);
    const calleeRequests = Math.min(...window.flatMap((truth) => callee(truth)?.requestsPerSecond ?? []));
    edge.gauge("breakerState", (e) => e.breakerState);
    // Three outcome counters make the calls, two of them the retried ones.
    edge.rate("callsPerSecond", (e) => e.callsPerSecond, slack.rate(3));
    edge.rate("retriedCallsPerSecond", (e) => e.retriedCallsPerSecond, slack.rate(2));
    edge.rate("dependencyErrorRatio", (e) => e.dependencyErrorRatio, slack.ratio(calleeRequests));
  });
}

function compareServices(): Promise<ServiceStats[]> {
  return agreed(() => serviceMetrics.currentServiceStats(), (truth) => truth.services, workloadKey, (service) => {
    const fewest = service.inWindow.min((s) => s.requestsPerSecond);
    // An ok and a failed histogram: two floored counts per bucket and in the total.
    service.rate("requestsPerSecond", (s) => s.requestsPerSecond, slack.rate(2));
    service.rate("errorRatio", (s) => s.errorRatio, slack.ratio(fewest));
    service.rate("cpuUtilisation", (s) => s.cpuUtilisation);
    service.p95((s) => s.p95LatencyMs, slack.share(fewest));
  });
}

describe("regions, autoscalers, call edges and services through Prometheus, against the simulator", () => {
  beforeAll(async () => {
    simulated = await startSimulatedPrometheus();
    platformMetrics = new PrometheusPlatformMetrics(simulated.scope, simulated.reader);
    serviceMetrics = new PrometheusServiceMetrics(simulated.scope, simulated.reader);
    const scrapedAt = vectorSamples(await simulated.client.query('timestamp(up{job="scaleplane-simulator"})'))[0]?.value;
    if (scrapedAt === undefined) throw new Error("Prometheus has not scraped the simulator");
    ticker = tickBetweenScrapes(Math.round(scrapedAt * 1000) % 1000);
    // Rate windows that hold only steps ticked between scrapes.
    await simulated.waitForScrapes(TEST_RATE_WINDOW_SECONDS + 2);
  });

  afterAll(async () => {
    ticker?.stop();
    await simulated?.stop();
  });

  it("asks one query per figure, whatever the number of entities", async () => {
    const queriesOf = async (read: () => Promise<unknown>) => {
      const before = simulated.cache.stats.requests;
      await read();
      return simulated.cache.stats.requests - before;
    };
    expect(await queriesOf(() => platformMetrics.regionTraffic())).toBe(3);
    expect(await queriesOf(() => platformMetrics.autoscalers())).toBe(6);
    expect(await queriesOf(() => platformMetrics.dependencies())).toBe(4);
  });

  it("reads every region as the simulator does", async () => {
    const regions = await compareRegions();
    expect(regions.map((r) => r.region)).toEqual(["eu-west-1", "us-east-1"]);
    expect(regions.reduce((total, r) => total + r.trafficWeight, 0)).toBeCloseTo(1, 9);
    for (const region of regions) expect(region.requestsPerSecond).toBeGreaterThan(0);
  });

  it("takes a region's realised share of the requests for its weight where no weight gauge says it", async () => {
    // A real platform has no scaleplane_region_traffic_weight: the same Prometheus without it.
    const withoutWeights = Object.assign(Object.create(simulated.reader) as CachedPrometheus, {
      instant: (promql: string) =>
        promql.startsWith("scaleplane_region_traffic_weight")
          ? Promise.resolve({ value: [], stale: false as const, fetchedAt: Date.now(), ageSeconds: 0 })
          : simulated.reader.instant(promql),
    });
    const regions = await agreed(() => new PrometheusPlatformMetrics(simulated.scope, withoutWeights).regionTraffic(), (truth) => truth.regions, regionKey, (region, window) => {
      const name = region.inWindow.values[0]?.region ?? "";
      // The region's requests and the other regions' within a rate's bounds; the share between their extremes.
      const requestBounds = (inRegion: boolean) => {
        const rates = window.map((truth) => truth.regions.filter((r) => (r.region === name) === inRegion).reduce((total, r) => total + r.requestsPerSecond, 0));
        const counters = 2 * httpServices().filter((key) => key.endsWith(`@${name}`) === inRegion).length;
        return { low: Math.min(...rates) * (1 - RELATIVE) - slack.rate(counters), high: Math.max(...rates) * (1 + RELATIVE) + slack.rate(counters) };
      };
      const own = requestBounds(true);
      const others = requestBounds(false);
      region.within("trafficWeight", (r) => r.trafficWeight, own.low / (own.low + others.high), own.high / (own.high + others.low));
      region.rate("requestsPerSecond", (r) => r.requestsPerSecond, slack.rate(2 * httpServices().filter((key) => key.endsWith(`@${name}`)).length));
    });
    // Not the configured weights: the regions' traffic peaks at different hours.
    expect(regions.map((r) => r.trafficWeight)).not.toEqual(latest().regions.map((r) => r.trafficWeight));
    expect(regions.reduce((total, r) => total + r.trafficWeight, 0)).toBeCloseTo(1, 9);
  });

  it("reads every autoscaler as the simulator does", async () => {
    const autoscalers = await compareAutoscalers();
    // Every HTTP service has one in each region; consumers have none.
    expect(autoscalers.map(workloadKey).sort()).toEqual(httpServices().sort());
    expect(autoscalers.find((hpa) => hpa.name === "payments")?.targetCpuUtilisation).toBe(0.95);
    for (const hpa of autoscalers) expect(hpa.cpuUtilisation).toBeGreaterThan(0);
  });

  it("reads every call edge as the simulator does", async () => {
    const edges = await compareDependencies();
    expect(edges.length).toBeGreaterThan(0);
    expect(edges.every((edge) => edge.breakerState === "closed" && edge.callsPerSecond > 0)).toBe(true);
  });

  it("reads every service's figures as the simulator does", async () => {
    const services = await compareServices();
    expect(services.every((service) => service.requestsPerSecond > 0 && service.p95LatencyMs > 0)).toBe(true);
  });

  it("sees the breakers a failing dependency opens, and the calls they stop", async () => {
    const incident = simulated.platform.fleet.injectIncident({ scenario: "dependency errors", durationSeconds: 60 });
    const failing = incident.target.split("/").at(-1) ?? "";
    // Callers open their breakers at the first step in which the dependency fails.
    const opened = await waitUntil(async () => {
      const truth = latest().dependencies.filter((edge) => edge.dependency === failing);
      return truth.length > 0 && truth.every((edge) => edge.breakerState === "open") ? truth : undefined;
    }, 10_000, `the simulator's breakers on ${failing} to open`);
    await waitUntil(async () => {
      const seen = (await platformMetrics.dependencies()).value.filter((edge) => edge.dependency === failing);
      return seen.length === opened.length && seen.every((edge) => edge.breakerState === "open");
    }, 10_000, `Prometheus to show the breakers on ${failing} open`);
    // A rate window after the breakers opened holds only refused calls.
    await simulated.waitForScrapes(TEST_RATE_WINDOW_SECONDS + 1);

    const edges = await compareDependencies();
    for (const edge of edges.filter((e) => e.dependency === failing)) {
      expect(edge.breakerState).toBe("open");
      expect(edge.callsPerSecond).toBe(0);
      expect(edge.dependencyErrorRatio).toBeGreaterThan(0.5);
    }
    // Callers of the callers see more errors, not enough to open their breakers: they retry.
    const retrying = edges.filter((e) => e.dependency !== failing && e.breakerState === "closed" && e.dependencyErrorRatio > 0.1);
    expect(retrying.some((edge) => edge.retriedCallsPerSecond > 1)).toBe(true);
    // The callers fail the requests that needed the dependency.
    const services = await compareServices();
    const callers = new Set(opened.map((edge) => workloadKey(edge)));
    for (const caller of services.filter((s) => callers.has(workloadKey(s)))) expect(caller.errorRatio).toBeGreaterThan(0.05);
  });

  it("sees a region outage in the region's error ratio and latency", async () => {
    const incident = simulated.platform.fleet.injectIncident({ scenario: "region outage", durationSeconds: 60 });
    const down = incident.regions[0] ?? "";
    await waitUntil(async () => ((await platformMetrics.regionTraffic()).value.find((r) => r.region === down)?.errorRatio ?? 0) > 0.95, 15_000, `Prometheus to show ${down} failing`);
    await simulated.waitForScrapes(TEST_RATE_WINDOW_SECONDS + 1);

    const regions = await compareRegions();
    expect(regions.find((r) => r.region === down)?.errorRatio).toBeGreaterThan(0.95);
    expect(regions.find((r) => r.region !== down)?.errorRatio).toBeLessThan(0.5);
    const services = await compareServices();
    const http = new Set(httpServices());
    for (const service of services.filter((s) => s.region === down && http.has(workloadKey(s)))) {
      expect(service.errorRatio).toBeGreaterThan(0.95);
      // 9 s timeouts: the 7.5-10 s bucket.
      expect(service.p95LatencyMs).toBeGreaterThanOrEqual(7500);
      expect(service.p95LatencyMs).toBeLessThanOrEqual(10000);
    }
    await compareDependencies();
    await compareAutoscalers();
  });
});
