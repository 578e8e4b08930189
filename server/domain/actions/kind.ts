// What every action kind declares. The catalog (./catalog.ts) lists them; the request
// service and the executor only ever talk to a kind through this shape.
import type { z } from "zod";
import type { Permission, Scope } from "../permissions";
import type { WorkloadPort } from "../ports";

export type RiskLevel = "low" | "medium" | "high";

/** The ports an action may read and change. Grows with the catalog. */
export interface ActionPorts {
  workloads: WorkloadPort;
}

export interface PreviewLine {
  label: string;
  before: string;
  after: string;
}

export interface ActionPlan {
  risk: RiskLevel;
  /** Why the risk is what it is, in words an operator reads at 3 a.m. */
  riskReasons: string[];
  summary: string;
  changes: PreviewLine[];
  /** Estimated change of the monthly bill; positive costs more. */
  monthlyCostDelta: number | null;
}

export interface PlanContext {
  pricePerReplicaHour: number;
}

export interface Verification {
  ok: boolean;
  observed: Record<string, unknown>;
  message: string;
}

export interface ActionKind<Params, Current> {
  kind: string;
  title: string;
  permission: Permission;
  params: z.ZodType<Params>;
  /** How the risk is decided, for the catalog listing. */
  riskRule: string;
  /** Where the action lands, for permission checks, and the resource's name. */
  target(params: Params, environment: string): Scope & { name: string };
  /** Reads the current state. Throws ActionRefused when the action cannot apply. */
  load(ports: ActionPorts, params: Params, environment: string): Promise<Current>;
  /** Pure: risk and preview from the parameters and the current state. Throws ActionRefused. */
  plan(params: Params, current: Current, context: PlanContext): ActionPlan;
  execute(ports: ActionPorts, params: Params, environment: string): Promise<void>;
  /** Reads the state back after executing. */
  verify(ports: ActionPorts, params: Params, environment: string): Promise<Verification>;
  /** The parameters of the request that would undo this one, given the state before. */
  rollback(params: Params, before: Current): Params | null;
}

/** The action cannot be requested as asked; the message is shown to the user as is. */
export class ActionRefused extends Error {
  override name = "ActionRefused";
}
