// The alert list's refresh under a burst of live events: one refetch in flight, one after it.
import { describe, expect, it } from "vitest";
import { coalesced } from "../../components/alert-live";

describe("coalesced refresh", () => {
  it("runs once for a call, and once more for any number of calls made while it ran", async () => {
    const runs: (() => void)[] = [];
    let started = 0;
    const refresh = coalesced(() => {
      started++;
      return new Promise<void>((resolve) => runs.push(resolve));
    });
    refresh();
    expect(started).toBe(1);
    // A burst while the first refetch is in flight: none starts yet.
    for (let i = 0; i < 100; i++) refresh();
    expect(started).toBe(1);
    runs.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The burst is answered by one refetch that starts after the first one ended.
    expect(started).toBe(2);
    runs.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(started).toBe(2);
    // Idle again: the next call starts at once.
    refresh();
    expect(started).toBe(3);
  });

  it("keeps going after a refetch fails", async () => {
    let started = 0;
    const refresh = coalesced(async () => {
      started++;
      throw new Error("network");
    });
    refresh();
    await new Promise((resolve) => setTimeout(resolve, 0));
    refresh();
    expect(started).toBe(2);
  });
});
