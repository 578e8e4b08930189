// Hand-written in-memory ports for the action kinds' unit tests: each test gives the calls it
// expects; any other call fails the test, naming itself.
import { vi } from "vitest";
import type { ActionPorts } from "@/server/domain/action-ports";

type PortParts = { [Port in keyof ActionPorts]?: Partial<ActionPorts[Port]> };

function portOf<Port extends object>(name: string, given: Partial<Port>): Port {
  return new Proxy(given, {
    get(target, key) {
      if (typeof key !== "string" || key in target) return Reflect.get(target, key);
      return async () => {
        throw new Error(`${name}.${key} was not expected in this test`);
      };
    },
  }) as Port;
}

export function fakePorts(parts: PortParts): ActionPorts {
  return {
    workloads: portOf("workloads", parts.workloads ?? {}),
    autoscalers: portOf("autoscalers", parts.autoscalers ?? {}),
    rollouts: portOf("rollouts", parts.rollouts ?? {}),
    traffic: portOf("traffic", parts.traffic ?? {}),
    queues: portOf("queues", parts.queues ?? {}),
    caches: portOf("caches", parts.caches ?? {}),
    breakers: portOf("breakers", parts.breakers ?? {}),
  };
}

let nextRequest = 0;

/**
 * A context that keeps what the execution reports and remembers, as the executor does: pass
 * the same context to execute and verify, or a fresh one for a verification after a restart.
 */
export function executionContext(signal: AbortSignal = new AbortController().signal) {
  nextRequest += 1;
  let recorded: Record<string, unknown> | null = null;
  const reportProgress = vi.fn<(progress: Record<string, unknown>) => void>((progress) => {
    recorded = { ...recorded, ...progress };
  });
  const remember = vi.fn<(note: Record<string, unknown>) => Promise<void>>(async (note) => {
    recorded = { ...recorded, ...note };
  });
  return { environment: "prod", requestId: `request-${nextRequest}`, reportProgress, remember, recorded: () => recorded, signal };
}

/** A signal already aborted: verification reads once instead of waiting for a change that never comes. */
export const impatient = () => AbortSignal.abort();

export const planContext = { pricePerReplicaHour: 0.1 };

/** The refusal message a promise rejects with, or a failure when it resolves. */
export async function refusalOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error && error.name === "ActionRefused") return error.message;
    throw error;
  }
  throw new Error("expected the kind to refuse");
}

/** The messages zod gives for invalid parameters. */
export function paramErrors(schema: { safeParse(value: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : (result.error?.issues.map((issue) => issue.message) ?? []);
}
