// What every action kind declares. The catalog (./catalog.ts) lists them; the request
// service and the executor only ever talk to a kind through this shape.
import type { z } from "zod";
import type { Permission, Scope } from "../permissions";
import type { ActionPorts } from "../action-ports";

export type { ActionPorts } from "../action-ports";

export type RiskLevel = "low" | "medium" | "high";

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

/** What an execution knows besides its parameters. */
export interface ExecutionContext {
  environment: string;
  /** The action request being executed: names work that must survive a restart (a replay's progress). */
  requestId: string;
  /** Records progress (shown on the request's page, kept across a restart of the app). */
  reportProgress(progress: Record<string, unknown>): void;
  /**
   * Records what the execution chose that its verification compares with (the restart time it
   * wrote, the primary it replaces), before making the change: written at once, so a
   * verification after a restart of the app still has it.
   */
  remember(note: Record<string, unknown>): Promise<void>;
  /** Everything reported and remembered so far, this run or before a restart; null when nothing. */
  recorded(): Record<string, unknown> | null;
  /** Aborts when the app shuts down; a resumable kind stops and continues after the restart. */
  signal: AbortSignal;
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
  execute(ports: ActionPorts, params: Params, context: ExecutionContext): Promise<void>;
  /**
   * True when running `execute` again after an interruption continues the work without
   * repeating any of it (a replay that records its own progress). Otherwise an interrupted
   * execution is settled by `verify` alone and never re-run.
   */
  resumable?: boolean;
  /**
   * Requests of this kind with the same key never execute at once: while one is executing
   * (including one interrupted and waiting for its retry) another is refused when its turn
   * comes. For work that two runs would do twice, such as two replays into one topic.
   */
  exclusiveKey?(params: Params, environment: string): string;
  /** How far a run has got, from its recorded progress ("4 of 10 done"); null when it cannot tell. */
  progressSummary?(progress: Record<string, unknown>): string | null;
  /** Reads the state back after executing. */
  verify(ports: ActionPorts, params: Params, context: ExecutionContext): Promise<Verification>;
  /** The parameters of the request that would undo this one, given the state before. */
  rollback(params: Params, before: Current): Params | null;
}

/** The action cannot be requested as asked; the message is shown to the user as is. */
export class ActionRefused extends Error {
  override name = "ActionRefused";
}

/**
 * A newer attempt of the same execution took the work over (a job retried while this attempt
 * still ran): this attempt stops and leaves the request for the newer one to settle.
 */
export class ExecutionSuperseded extends Error {
  override name = "ExecutionSuperseded";
}
