import { describe, expect, it } from "vitest";
import { GO_WINDOW_MS, goSequence } from "../../lib/go-sequence";

const NAV = [
  { key: "s", href: "/services" },
  { key: "r", href: "/regions" },
];
/** A key pressed at `pressedAt` and handled `lateBy` ms later. */
const key = (name: string, pressedAt: number, lateBy = 0) => ({ key: name, pressedAt, handledAt: pressedAt + lateBy });

describe("g-sequence navigation", () => {
  it("goes where `g` and the letter lead when typed within the window", () => {
    const next = goSequence(NAV);
    expect(next(key("g", 1000))).toBeNull();
    expect(next(key("r", 1200))).toBe("/regions");
    // One jump per `g`.
    expect(next(key("s", 1300))).toBeNull();
  });

  it("drops a letter typed after the window, and a letter no target has", () => {
    const next = goSequence(NAV);
    next(key("g", 1000));
    expect(next(key("r", 1000 + GO_WINDOW_MS + 1))).toBeNull();
    next(key("g", 5000));
    expect(next(key("x", 5100))).toBeNull();
    expect(next(key("r", 5200))).toBeNull();
  });

  it("a letter alone goes nowhere", () => {
    expect(goSequence(NAV)(key("r", 1000))).toBeNull();
  });

  it("on a page busy between the keys: `g` handled 2 s late still opens the window for a letter typed after it was handled", () => {
    const next = goSequence(NAV);
    // Pressed at 1000, handled at 3000; the next key is sent once `g` has been handled.
    next(key("g", 1000, 2000));
    expect(next(key("r", 3050))).toBe("/regions");
  });

  it("on a page busy between the keys: a page that froze between g going down and up still takes the letter pressed after it", () => {
    const next = goSequence(NAV);
    next(key("g", 1000));
    // The page handles g at once, then freezes; g's key-up is handled at 2500 and the letter comes after.
    expect(next({ ...key("g", 1080, 1420), type: "up" })).toBeNull();
    expect(next(key("r", 2550))).toBe("/regions");
  });

  it("a key-up alone does not arm the window, and the window still closes a second after g is let go", () => {
    const next = goSequence(NAV);
    next({ ...key("g", 1000), type: "up" });
    expect(next(key("r", 1100))).toBeNull();
    next(key("g", 5000));
    next({ ...key("g", 5100), type: "up" });
    expect(next(key("r", 5100 + GO_WINDOW_MS + 1))).toBeNull();
  });

  it("on a page busy between the keys: a letter typed in time but handled 2 s late still counts", () => {
    const next = goSequence(NAV);
    next(key("g", 1000));
    expect(next(key("s", 1150, 2000))).toBe("/services");
  });
});
