// The alert features' dependencies from the runtime: the store the webhook and Prometheus's
// list write to, and the silence service with the configured Alertmanager.
import { ActionError } from "../actions/errors";
import { silencesFromConfig } from "../adapters/alertmanager/from-config";
import type { ScaleplaneConfig } from "../config/schema";
import type { Db } from "../db/client";
import type { SilencePort } from "../domain/alerts/ports";
import type { EventBus } from "../events/bus";
import type { SilenceServiceDeps } from "./silences";
import type { AlertStoreDeps } from "./store";

interface RuntimeParts {
  config: ScaleplaneConfig;
  events: EventBus;
}

export function alertStoreOf(db: Db, runtime: RuntimeParts): AlertStoreDeps {
  return { db, events: runtime.events, labels: runtime.config.alerts.labels };
}

// One client per configuration (the configuration is read once per process).
const silencePorts = new WeakMap<ScaleplaneConfig, SilencePort | null>();

/** An Alertmanager that cannot be used (its token's variable is not set): every call says why. */
function unusable(reason: string): SilencePort {
  const refuse = async (): Promise<never> => {
    throw new ActionError("PRECONDITION_FAILED", reason);
  };
  return { create: refuse, expire: refuse, get: refuse, list: refuse };
}

export function silenceServiceOf(db: Db, runtime: RuntimeParts): SilenceServiceDeps {
  let silences = silencePorts.get(runtime.config);
  if (silences === undefined) {
    try {
      silences = silencesFromConfig(runtime.config);
    } catch (error) {
      silences = unusable(error instanceof Error ? error.message : String(error));
    }
    silencePorts.set(runtime.config, silences);
  }
  return { ...alertStoreOf(db, runtime), silences };
}
