import { describe, expect, it } from "vitest";
import {
  effectiveOffsets, emptyWindow, evaluateGroup, evaluatePartition, observe, observeGroup, STATUS_VERDICT,
  type BurrowWindow, type OffsetObservation,
} from "@/server/domain/health";
import type { ConsumerGroupLag } from "@/server/domain/ports";

const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);
const MIN = 60_000;

/** One observation a minute from T0: [committed, logEnd] or a full observation minus its timestamp. */
type Pair = [committed: number, logEnd: number];
type Row = Pair | Omit<OffsetObservation, "timestamp">;

function windowOf(rows: readonly Row[], capacity = 10): BurrowWindow {
  return rows.reduce<BurrowWindow>((window, row, i) => {
    const fields = Array.isArray(row) ? { committedOffset: row[0], logEndOffset: row[1] } : row;
    return observe(window, { timestamp: T0 + i * MIN, ...fields });
  }, emptyWindow(capacity));
}

/** Five observations where the lag grows by 100 a minute and the committed offset stays at 1,000. */
const stalled: Pair[] = [[1000, 1100], [1000, 1200], [1000, 1300], [1000, 1400], [1000, 1500]];
/** Five observations where the consumer moves but falls behind: lag 100, 150, 200, 250, 300. */
const fallingBehind: Pair[] = [[1000, 1100], [1050, 1200], [1100, 1300], [1150, 1400], [1200, 1500]];

describe("Burrow window", () => {
  it("keeps the newest observations up to its capacity, oldest first", () => {
    const window = windowOf([[1, 10], [2, 10], [3, 10], [4, 10]], 3);
    expect(window.observations.map((o) => o.committedOffset)).toEqual([2, 3, 4]);
    expect(window.capacity).toBe(3);
  });

  it("returns a new window and leaves the old one as it was", () => {
    const before = windowOf([[1, 10], [2, 10]], 2);
    const after = observe(before, { timestamp: T0 + 5 * MIN, committedOffset: 3, logEndOffset: 10 });
    expect(before.observations.map((o) => o.committedOffset)).toEqual([1, 2]);
    expect(after.observations.map((o) => o.committedOffset)).toEqual([2, 3]);
  });

  it("ignores an observation that is not newer than the last one, or not a number", () => {
    const window = windowOf([[1, 10], [2, 10]]);
    expect(observe(window, { timestamp: T0 + MIN, committedOffset: 9, logEndOffset: 10 })).toBe(window);
    expect(observe(window, { timestamp: T0, committedOffset: 9, logEndOffset: 10 })).toBe(window);
    expect(observe(window, { timestamp: T0 + 2 * MIN, committedOffset: Number.NaN, logEndOffset: 10 })).toBe(window);
    expect(observe(window, { timestamp: T0 + 2 * MIN, committedOffset: 3, logEndOffset: 10 }).observations).toHaveLength(3);
  });

  it("refuses a capacity below one", () => {
    expect(() => emptyWindow(0)).toThrow(RangeError);
    expect(() => emptyWindow(2.5)).toThrow(RangeError);
    expect(emptyWindow(1).observations).toEqual([]);
  });

  it("takes a group's polls into its partitions' windows, dropping partitions it no longer reports", () => {
    const group = (committed: number[]): Pick<ConsumerGroupLag, "partitions"> => ({
      partitions: committed.map((c, partition) => ({ partition, committedOffset: c, logEndOffset: 1000, lag: 1000 - c })),
    });
    const first = observeGroup(new Map(), group([10, 20]), T0, 2, (partition) => (partition === 1 ? 15 : undefined));
    const second = observeGroup(first, group([11, 21]), T0 + MIN, 2);
    const third = observeGroup(second, group([12]), T0 + 2 * MIN, 2);
    expect(first.get(1)?.observations).toEqual([{ timestamp: T0, committedOffset: 20, logEndOffset: 1000, logStartOffset: 15 }]);
    expect(first.get(0)?.observations[0]).not.toHaveProperty("logStartOffset");
    expect(second.get(0)?.observations.map((o) => o.committedOffset)).toEqual([10, 11]);
    expect(third.get(0)?.observations.map((o) => o.committedOffset)).toEqual([11, 12]);
    expect([...third.keys()]).toEqual([0]);
    // The previous maps are untouched.
    expect(first.get(0)?.observations).toHaveLength(1);
    expect(second.has(1)).toBe(true);
  });

  it("applies a changed capacity to existing windows", () => {
    const polls = [0, 1, 2, 3].reduce(
      (windows, i) => observeGroup(windows, { partitions: [{ partition: 0, committedOffset: i, logEndOffset: 10, lag: 10 - i }] }, T0 + i * MIN, 4),
      new Map<number, BurrowWindow>(),
    );
    const shrunk = observeGroup(polls, { partitions: [{ partition: 0, committedOffset: 4, logEndOffset: 10, lag: 6 }] }, T0 + 4 * MIN, 2);
    expect(shrunk.get(0)?.observations.map((o) => o.committedOffset)).toEqual([3, 4]);
    expect(shrunk.get(0)?.capacity).toBe(2);
  });
});

describe("effective offsets", () => {
  it("clamps the committed offset to the log start and the lag to zero", () => {
    expect(effectiveOffsets({ timestamp: T0, committedOffset: 100, logEndOffset: 6000, logStartOffset: 5000 })).toEqual({ committedOffset: 5000, lag: 1000 });
    expect(effectiveOffsets({ timestamp: T0, committedOffset: 5500, logEndOffset: 6000, logStartOffset: 5000 })).toEqual({ committedOffset: 5500, lag: 500 });
    // Kafka's -1 for "no committed offset".
    expect(effectiveOffsets({ timestamp: T0, committedOffset: -1, logEndOffset: 300 })).toEqual({ committedOffset: 0, lag: 300 });
    expect(effectiveOffsets({ timestamp: T0, committedOffset: 700, logEndOffset: 600 })).toEqual({ committedOffset: 700, lag: 0 });
  });
});

describe("partition evaluation", () => {
  it("is UNKNOWN before the first observation", () => {
    expect(evaluatePartition(emptyWindow(10))).toEqual({ status: "UNKNOWN", lag: null, reason: "no offsets observed yet" });
  });

  it("is OK when caught up, whatever else", () => {
    expect(evaluatePartition(windowOf([[500, 500]]), { members: 0 })).toEqual({ status: "OK", lag: 0, reason: "caught up" });
    // A committed offset past the log end is no negative lag.
    expect(evaluatePartition(windowOf([...stalled, [1600, 1500]])).status).toBe("OK");
  });

  it("is OK while a zero lag is still in the window, and judged once it slid out", () => {
    const rows: Row[] = [[1000, 1000], ...stalled.slice(1)];
    expect(evaluatePartition(windowOf(rows, 5))).toEqual({ status: "OK", lag: 500, reason: "lag 500, caught up within the last 4 min" });
    expect(evaluatePartition(windowOf([...rows, [1000, 1600]], 5)).status).toBe("STALL");
  });

  it("is UNKNOWN while a lagging partition has fewer observations than needed", () => {
    expect(evaluatePartition(windowOf(stalled.slice(0, 4)))).toEqual({ status: "UNKNOWN", lag: 400, reason: "lag 400, 4 of 5 observations needed to judge it" });
    expect(evaluatePartition(windowOf(stalled.slice(0, 4)), { minObservations: 4 }).status).toBe("STALL");
    expect(evaluatePartition(windowOf(stalled)).status).toBe("STALL");
  });

  it("is STALL when the committed offset does not move while there is lag", () => {
    expect(evaluatePartition(windowOf(stalled))).toEqual({ status: "STALL", lag: 500, reason: "committed offset 1,000 unchanged over 4 min, lag 500" });
    // Nothing produced either: the lag is fixed, not growing, and the consumer still does not move.
    expect(evaluatePartition(windowOf([[1000, 1500], [1000, 1500], [1000, 1500], [1000, 1500], [1000, 1500]])).status).toBe("STALL");
    // One step of the offset is progress.
    expect(evaluatePartition(windowOf([...stalled.slice(0, 4), [1001, 1500]])).status).toBe("WARN");
  });

  it("is WARN when the consumer moves but the lag never falls", () => {
    expect(evaluatePartition(windowOf(fallingBehind))).toEqual({ status: "WARN", lag: 300, reason: "lag 300 and not decreasing over 4 min" });
    // A lag that holds steady never fell either.
    expect(evaluatePartition(windowOf([[1000, 1100], [1100, 1200], [1200, 1300], [1300, 1400], [1400, 1500]])).status).toBe("WARN");
  });

  it("is OK when the lag fell at least once in the window", () => {
    const oneDip: Row[] = [[1000, 1100], [1050, 1200], [1160, 1300], [1210, 1400], [1260, 1500]];
    expect(evaluatePartition(windowOf(oneDip))).toEqual({ status: "OK", lag: 240, reason: "lag 240 and decreasing" });
  });

  it("is REWIND when the committed offset went back and has not come back", () => {
    const rewound: Row[] = [[1000, 1100], [1100, 1200], [400, 1300]];
    expect(evaluatePartition(windowOf(rewound))).toEqual({ status: "REWIND", lag: 900, reason: "committed offset went back from 1,100 to 400, lag 900" });
    // Even right after a zero lag (a reset to the earliest offset).
    expect(evaluatePartition(windowOf([[1200, 1200], [1300, 1300], [0, 1400]])).status).toBe("REWIND");
    // Back where it was: recovered, judged by the other rules (the lag fell from 900 to 300).
    expect(evaluatePartition(windowOf([...rewound, [1100, 1400], [1150, 1500]]))).toEqual({ status: "OK", lag: 350, reason: "lag 350 and decreasing" });
    expect(evaluatePartition(windowOf([...rewound, [1099, 1400], [1099, 1500]])).status).toBe("REWIND");
  });

  it("judges the clamped offsets: a committed offset behind the log start resumes there", () => {
    const retained = (committedOffset: number, logStartOffset: number, logEndOffset: number) => ({ committedOffset, logStartOffset, logEndOffset });
    // The group stays at 100 while retention deletes ahead of it: it is not stuck at 100 but at the log start.
    const window = windowOf([retained(100, 5000, 6000), retained(100, 5000, 6100), retained(100, 5000, 6200), retained(100, 5000, 6300), retained(100, 5000, 6400)]);
    expect(evaluatePartition(window)).toEqual({ status: "STALL", lag: 1400, reason: "committed offset 5,000 unchanged over 4 min, lag 1,400" });
    // The log start moved past the committed offset: the clamped offset goes up, not back.
    expect(evaluatePartition(windowOf([retained(100, 5000, 6000), retained(100, 5200, 6000)])).status).not.toBe("REWIND");
  });

  describe("STOP", () => {
    it("when the group has no members and there is lag, however few the observations", () => {
      expect(evaluatePartition(windowOf([[1000, 1100]]), { members: 0 })).toEqual({ status: "STOP", lag: 100, reason: "no consumers, lag 100" });
      expect(evaluatePartition(windowOf(fallingBehind), { members: 1 }).status).toBe("WARN");
    });

    it("when offsets stopped coming for longer than the window spans", () => {
      const last = T0 + 4 * MIN;
      expect(evaluatePartition(windowOf(fallingBehind), { now: last + 4 * MIN }).status).toBe("WARN");
      expect(evaluatePartition(windowOf(fallingBehind), { now: last + 4 * MIN + 1000 })).toEqual({ status: "STOP", lag: 300, reason: "no offsets reported for 4 min, lag 300" });
    });

    it("when the last commit is older than the commits the window saw span, though observations keep coming", () => {
      const lastCommit = T0 - 2 * MIN;
      const rows: Row[] = stalled.map(([committedOffset, logEndOffset]) => ({ committedOffset, logEndOffset, committedAt: lastCommit }));
      expect(evaluatePartition(windowOf(rows))).toEqual({ status: "STOP", lag: 500, reason: "no commit for 6 min, lag 500" });
    });

    it("not when commits keep coming with the same offset: that is STALL", () => {
      const rows: Row[] = stalled.map(([committedOffset, logEndOffset], i) => ({ committedOffset, logEndOffset, committedAt: T0 + i * MIN - 5000 }));
      expect(evaluatePartition(windowOf(rows)).status).toBe("STALL");
    });

    it("when a consumer that was committing stopped for longer than it had been seen committing", () => {
      // Commits at 0, 1 and 2 min, then none: at 4 min, 2 min of silence is not more than 2 min of commits.
      const committedAt = [0, 1, 2, 2, 2, 2, 2, 2].map((m) => T0 + m * MIN);
      const rows: Row[] = committedAt.map((at, i) => ({ committedOffset: 1000 + 50 * Math.min(i, 2), logEndOffset: 1100 + 100 * i, committedAt: at }));
      expect(evaluatePartition(windowOf(rows.slice(0, 5))).status).toBe("WARN");
      expect(evaluatePartition(windowOf(rows.slice(0, 6)))).toEqual({ status: "STOP", lag: 500, reason: "no commit for 3 min, lag 500" });
    });
  });
});

describe("group evaluation", () => {
  const ok = windowOf([[1000, 1100], [1100, 1150], [1150, 1160], [1160, 1170], [1170, 1180]]);

  it("is UNKNOWN without partitions", () => {
    expect(evaluateGroup([])).toMatchObject({ verdict: "UNKNOWN", status: "UNKNOWN", reasons: ["no partitions observed"] });
  });

  it("takes its worst partition, mapped to a verdict", () => {
    expect(evaluateGroup([{ partition: 0, window: ok }])).toMatchObject({ verdict: "OK", status: "OK", reasons: [] });
    expect(evaluateGroup([{ partition: 0, window: ok }, { partition: 1, window: windowOf(fallingBehind) }])).toMatchObject({
      verdict: "WARN", status: "WARN", reasons: ["partition 1: lag 300 and not decreasing over 4 min"],
    });
    const group = evaluateGroup([{ partition: 2, window: windowOf(fallingBehind) }, { partition: 0, window: ok }, { partition: 1, window: windowOf(stalled) }]);
    expect(group).toMatchObject({ verdict: "CRIT", status: "STALL" });
    expect(group.reasons).toEqual(["partition 1: committed offset 1,000 unchanged over 4 min, lag 500", "partition 2: lag 300 and not decreasing over 4 min"]);
    expect(group.partitions.map((p) => [p.partition, p.status])).toEqual([[0, "OK"], [1, "STALL"], [2, "WARN"]]);
  });

  it("maps every partition status to a verdict", () => {
    expect(STATUS_VERDICT).toEqual({ OK: "OK", WARN: "WARN", STALL: "CRIT", STOP: "CRIT", REWIND: "CRIT", UNKNOWN: "UNKNOWN" });
  });

  it("ranks STOP over STALL over REWIND", () => {
    const rewound = windowOf([[1000, 1100], [900, 1200]]);
    expect(evaluateGroup([{ partition: 0, window: rewound }, { partition: 1, window: windowOf(stalled) }]).status).toBe("STALL");
    expect(evaluateGroup([{ partition: 0, window: windowOf(stalled) }, { partition: 1, window: rewound }], { members: 0 }).status).toBe("STOP");
  });

  it("is not hidden by a partition without enough observations, and says so", () => {
    const group = evaluateGroup([{ partition: 0, window: ok }, { partition: 1, window: windowOf(stalled.slice(0, 2)) }]);
    expect(group).toMatchObject({ verdict: "OK", status: "OK" });
    expect(group.reasons).toEqual(["partition 1: lag 200, 2 of 5 observations needed to judge it"]);
    const young = evaluateGroup([{ partition: 0, window: windowOf(stalled.slice(0, 2)) }, { partition: 1, window: emptyWindow(10) }]);
    expect(young).toMatchObject({ verdict: "UNKNOWN", status: "UNKNOWN" });
    expect(young.reasons).toEqual(["2 of 2 partitions not judged yet (partition 0: lag 200, 2 of 5 observations needed to judge it)"]);
  });

  it("names the worst three partitions and counts the rest", () => {
    const partitions = [
      { partition: 0, window: windowOf(fallingBehind) },
      { partition: 1, window: windowOf(stalled) },
      { partition: 2, window: windowOf(fallingBehind) },
      { partition: 3, window: windowOf(stalled.map(([c, e]): Pair => [c, e + 50])) },
      { partition: 4, window: windowOf(fallingBehind) },
      { partition: 5, window: ok },
    ];
    expect(evaluateGroup(partitions).reasons).toEqual([
      "partition 3: committed offset 1,000 unchanged over 4 min, lag 550",
      "partition 1: committed offset 1,000 unchanged over 4 min, lag 500",
      "partition 0: lag 300 and not decreasing over 4 min",
      "2 more partitions: 2 WARN",
    ]);
  });

  it("judges every partition at the same time: one whose offsets stopped coming while the others' come has stopped", () => {
    const current = windowOf([...fallingBehind, [1250, 1600], [1300, 1700], [1350, 1800], [1400, 1900], [1450, 2000]]);
    const silent = windowOf(fallingBehind);
    const group = evaluateGroup([{ partition: 0, window: current }, { partition: 1, window: silent }]);
    expect(group.partitions.map((p) => p.status)).toEqual(["WARN", "STOP"]);
    expect(group.reasons[0]).toBe("partition 1: no offsets reported for 5 min, lag 300");
  });
});
