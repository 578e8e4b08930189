// Since when each entity has had its verdict ("CRIT since 09:14, 6 min"). The figures say how
// things are, not since when; this remembers each entity's last change of verdict as this
// process saw it: on every read of the fleet, and from a background watch so the time is right
// even when nobody had the page open.
import type { EntityVerdict } from "../domain/overview";
import type { Verdict } from "../domain/health";

interface Spell {
  verdict: Verdict;
  since: number;
  /** Last time the entity was seen at all: entities gone for long are forgotten. */
  seenAt: number;
}

const FORGET_AFTER_MS = 60 * 60_000;

export class VerdictMemory {
  private readonly spells = new Map<string, Spell>();
  /** Records the verdicts of one read and returns them with `since` filled in. */
  record(environment: string, entities: readonly EntityVerdict[], at: number): EntityVerdict[] {
    const recorded = entities.map((entity) => {
      const key = `${environment}\u0000${entity.id}`;
      const spell = this.spells.get(key);
      if (!spell || spell.verdict !== entity.verdict) {
        this.spells.set(key, { verdict: entity.verdict, since: at, seenAt: at });
        return { ...entity, since: at };
      }
      spell.seenAt = Math.max(spell.seenAt, at);
      return { ...entity, since: spell.since };
    });
    for (const [key, spell] of this.spells) if (at - spell.seenAt > FORGET_AFTER_MS) this.spells.delete(key);
    return recorded;
  }
}
