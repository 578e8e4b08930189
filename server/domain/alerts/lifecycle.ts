// What one observation of an alert (a webhook delivery, or Prometheus's list of firing alerts)
// does to the stored alert. Pure: the store (server/alerts/store.ts) applies the answer under
// a row lock.
//
// Deliveries repeat (Alertmanager resends; two Alertmanagers of an HA pair both deliver) and
// can arrive late, so an observation changes the status only when it is not older than what
// is stored:
// - one about an earlier episode (its startsAt before the stored one) is stale;
// - a "firing" for the episode that has already resolved fires it again: Alertmanager resolves
//   an alert whose sender went quiet and fires it again, with the same start, when the sender
//   resends it (its webhook shows no end for firing alerts). Only when the source says until
//   when it vouched for the alert (Prometheus's list: the moment it was read) and that was not
//   after the resolution is it a late copy, and stale.

export type AlertStatus = "firing" | "resolved";
export type AlertSource = "webhook" | "prometheus";

export interface AlertObservation {
  fingerprint: string;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  /**
   * For a resolved alert, when it resolved. For a firing one, until when the sender vouches
   * for it (Prometheus's resend deadline); null when not said.
   */
  endsAt: Date | null;
  generatorUrl: string | null;
  source: AlertSource;
}

export interface StoredAlert {
  status: AlertStatus;
  startsAt: Date;
  /** Set once resolved. */
  endsAt: Date | null;
  annotations: Record<string, string>;
  generatorUrl: string | null;
}

export type AlertChange =
  /** First seen. */
  | "created"
  /** Resolved before, firing again. */
  | "fired"
  | "resolved"
  /** Same status; annotations or the generator URL changed. */
  | "updated"
  /** A repeated delivery, or a stale one: only "last received" moves. */
  | "unchanged";

export interface AlertTransition {
  from: AlertStatus | null;
  to: AlertStatus;
  /** When it happened, as the source says (startsAt for firing, endsAt for resolved). */
  at: Date;
}

export interface AlertDecision {
  change: AlertChange;
  /** The stored alert after the observation. */
  next: StoredAlert;
  transition: AlertTransition | null;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

/** Resolved alerts are stored with the time they resolved; a source that gives none resolved it when it said so. */
function resolvedAt(observation: AlertObservation, receivedAt: Date): Date {
  return observation.endsAt ?? receivedAt;
}

export function decideAlertChange(stored: StoredAlert | null, observation: AlertObservation, receivedAt: Date): AlertDecision {
  const content = { annotations: observation.annotations, generatorUrl: observation.generatorUrl ?? stored?.generatorUrl ?? null };
  if (stored === null) {
    const resolved = observation.status === "resolved";
    const endsAt = resolved ? resolvedAt(observation, receivedAt) : null;
    return {
      change: "created",
      next: { status: observation.status, startsAt: observation.startsAt, endsAt, ...content },
      transition: { from: null, to: observation.status, at: endsAt ?? observation.startsAt },
    };
  }
  const unchanged: AlertDecision = { change: "unchanged", next: stored, transition: null };
  if (observation.startsAt.getTime() < stored.startsAt.getTime()) return unchanged;

  if (stored.status === "firing" && observation.status === "resolved") {
    const endsAt = resolvedAt(observation, receivedAt);
    return { change: "resolved", next: { ...stored, ...content, status: "resolved", endsAt }, transition: { from: "firing", to: "resolved", at: endsAt } };
  }
  if (stored.status === "resolved" && observation.status === "firing") {
    const sameEpisode = observation.startsAt.getTime() === stored.startsAt.getTime();
    const notValidAfterResolution = observation.endsAt !== null && stored.endsAt !== null && observation.endsAt.getTime() <= stored.endsAt.getTime();
    if (sameEpisode && notValidAfterResolution) return unchanged;
    return {
      change: "fired",
      next: { ...content, status: "firing", startsAt: observation.startsAt, endsAt: null },
      transition: { from: "resolved", to: "firing", at: observation.startsAt },
    };
  }
  // Same status: the alert keeps the start it was first stored with (Prometheus's list gives
  // when the alert became active, a little earlier than when it fired). Its text comes from
  // the webhook: Prometheus's list renders the annotations at another evaluation (a different
  // $value) and has no generator URL, so taking it too would flip them at every read.
  if (observation.source === "prometheus") return unchanged;
  if (sameRecord(stored.annotations, content.annotations) && stored.generatorUrl === content.generatorUrl) return unchanged;
  return { change: "updated", next: { ...stored, ...content }, transition: null };
}
