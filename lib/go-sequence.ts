// The two-key `g` navigation as a pure state machine, so its timing rules can be tested
// without a browser.

/** How long after `g` the second key still counts. */
export const GO_WINDOW_MS = 1000;

export interface GoKey {
  key: string;
  /** Key down or key up; only a `g` going up matters of the ups. */
  type?: "down" | "up";
  /** When the key was pressed (the event's timeStamp). */
  pressedAt: number;
  /** When the page got to handle it (performance.now()); later than pressedAt on a busy page. */
  handledAt: number;
}

/**
 * Feeds keys one by one; returns the href when a key completes `g <letter>`. The window opens
 * when `g` is handled, not when it was pressed, runs until a second after `g` is let go, and the
 * letter counts by when it was pressed: a page busy between the two keys (a long render, a big
 * table) neither closes the window before `g` was even seen nor drops a letter typed in time but
 * handled late.
 */
export function goSequence(targets: readonly { key: string; href: string }[]) {
  let armedUntil = Number.NEGATIVE_INFINITY;
  return (event: GoKey): string | null => {
    if (event.type === "up") {
      if (event.key === "g" && armedUntil > Number.NEGATIVE_INFINITY) armedUntil = Math.max(armedUntil, event.handledAt + GO_WINDOW_MS);
      return null;
    }
    if (event.key === "g") {
      armedUntil = event.handledAt + GO_WINDOW_MS;
      return null;
    }
    const armed = event.pressedAt <= armedUntil;
    armedUntil = Number.NEGATIVE_INFINITY;
    if (!armed) return null;
    return targets.find((target) => target.key === event.key)?.href ?? null;
  };
}
