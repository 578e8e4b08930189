// The simulator's control endpoint (/api/simulator/incidents), as a plain function of what
// the route knows, so it can be tested without Next: demo mode, who is calling, the fleet.
import { canSomewhere, type RoleGrant } from "../../domain/permissions";
import type { IncidentView, SimulatedFleet } from "./fleet";
import { formatIssues, IncidentRejectedError, incidentRequestSchema } from "./incidents";

export interface ControlContext {
  /** env.SCALEPLANE_DEMO: outside demo mode the endpoint does not exist. */
  demo: boolean;
  /** The signed-in user's grants; null when nobody is signed in. */
  grants: readonly RoleGrant[] | null;
  fleet: SimulatedFleet | null;
}

export interface ControlRequest {
  method: "GET" | "POST";
  contentType?: string | null;
  /** The raw request body (POST). */
  body?: string;
}

export type ControlResponse =
  | { status: 200; body: { incidents: IncidentView[] } }
  | { status: 201; body: { incident: IncidentView } }
  | { status: 400 | 401 | 403 | 404 | 415; body: { error: string } };

const fail = (status: 400 | 401 | 403 | 404 | 415, error: string): ControlResponse => ({ status, body: { error } });

export function handleIncidents(request: ControlRequest, context: ControlContext): ControlResponse {
  if (!context.demo) return fail(404, "not found");
  if (context.grants === null) return fail(401, "sign in first");
  // Whoever may request actions (operators, admins) may break the demo platform on purpose.
  if (!canSomewhere(context.grants, "action.request")) return fail(403, "injecting incidents needs the operator or admin role");
  if (context.fleet === null) return fail(404, "the fleet simulator is not running");
  if (request.method === "GET") {
    return { status: 200, body: { incidents: context.fleet.incidents().filter((incident) => incident.status !== "ended") } };
  }
  // A JSON content type cannot be sent cross-site without a CORS preflight, which this endpoint never grants.
  if (!/^application\/json\b/i.test(request.contentType ?? "")) return fail(415, "send the incident as application/json");
  let json: unknown;
  try {
    json = JSON.parse(request.body ?? "");
  } catch {
    return fail(400, "the body is not valid JSON");
  }
  const parsed = incidentRequestSchema.safeParse(json);
  if (!parsed.success) return fail(400, formatIssues(parsed.error));
  try {
    return { status: 201, body: { incident: context.fleet.injectIncident(parsed.data) } };
  } catch (error) {
    if (error instanceof IncidentRejectedError) return fail(400, error.message);
    throw error;
  }
}
