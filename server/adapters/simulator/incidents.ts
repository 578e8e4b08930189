// Incident scenarios: what can be injected, how a request and a scenario file are validated,
// and how strong each effect is. The fleet resolves targets and applies the effects.
import { readFileSync } from "node:fs";
import { z } from "zod";

export const SCENARIOS = [
  "traffic spike",
  "slow consumer",
  "broker down",
  "cache flush",
  "shard imbalance",
  "region outage",
  "dependency errors",
] as const;

export type Scenario = (typeof SCENARIOS)[number];

/** Offered traffic multiplier of a spiking service. */
export const SPIKE_TRAFFIC_FACTOR = 2.5;
/**
 * What a slow consumer (a slow downstream, not CPU) still manages, as a share of what its topic
 * receives when the slowness starts. Relative to the traffic of the moment, not a fixed factor:
 * a group sized for the peak would keep up at night with a third of its speed, and the incident
 * would show nothing; this way it falls behind at any hour, and three times the consumers
 * (1.8 × production) catch up.
 */
export const SLOW_CONSUMER_CAPACITY_SHARE = 0.6;
/** A slow consumer is at least this much slower per replica, however little is produced. */
export const SLOW_CONSUMER_MAX_THROUGHPUT_FACTOR = 0.5;
/** Error ratio added to a failing dependency. */
export const DEPENDENCY_ERROR_RATIO = 0.7;
/** A region in outage: nearly every request fails, after the client's timeout. */
export const OUTAGE_ERROR_RATIO = 0.98;
export const OUTAGE_LATENCY_MS = 9000;

/** Longest incident: a day. Anything longer is a configuration mistake. */
const MAX_DURATION_SECONDS = 86_400;

export const incidentRequestSchema = z
  .object({
    scenario: z.enum(SCENARIOS, { error: () => `scenario must be one of: ${SCENARIOS.join(", ")}` }),
    /** The entity it hits: a service (`namespace/name` or `name`), consumer group, Kafka cluster, cache, MongoDB cluster or region. */
    target: z.string().trim().min(1).max(200).optional(),
    /** Restrict the target to one region (default: every region where it exists). */
    region: z.string().trim().min(1).max(100).optional(),
    durationSeconds: z.number().int().min(1).max(MAX_DURATION_SECONDS),
  })
  .strict();

export type IncidentRequest = z.infer<typeof incidentRequestSchema>;

export const scenarioPlanSchema = z
  .object({
    incidents: z.array(
      incidentRequestSchema.extend({
        /** Seconds after the simulation starts. */
        startAfterSeconds: z.number().int().min(0).default(0),
        /** Start it again every so many seconds, for a demo that keeps having incidents. */
        repeatEverySeconds: z.number().int().min(1).optional(),
      }).strict().refine((entry) => entry.repeatEverySeconds === undefined || entry.repeatEverySeconds > entry.durationSeconds, {
        message: "repeatEverySeconds must be longer than durationSeconds",
      }),
    ),
  })
  .strict();

export type ScenarioPlan = z.infer<typeof scenarioPlanSchema>;
export type PlannedIncident = ScenarioPlan["incidents"][number];

export interface Incident {
  id: string;
  scenario: Scenario;
  /** What it hits, as resolved: e.g. `checkout/payments`, `events broker 4`, `eu-west-1`. */
  target: string;
  /** Regions it touches. */
  regions: string[];
  /** epoch ms */
  startsAt: number;
  endsAt: number;
}

export type IncidentStatus = "scheduled" | "active" | "ended";

export function incidentStatus(incident: Incident, now: number): IncidentStatus {
  if (now < incident.startsAt) return "scheduled";
  return now < incident.endsAt ? "active" : "ended";
}

/** An injection the fleet cannot carry out; the control endpoint answers it with 400. */
export class IncidentRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IncidentRejectedError";
  }
}

export function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message)).join("; ");
}

export function parseScenarioPlan(json: unknown, source = "scenario"): ScenarioPlan {
  const parsed = scenarioPlanSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${source} is not a valid scenario: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

export function loadScenarioFile(path: string): ScenarioPlan {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read scenario file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseScenarioPlan(json, path);
}
