import { describe, expect, it } from "vitest";
import { formatDuration, verdictSince } from "@/server/domain/health";
import { contrast, formatBytes, formatCount, formatPercent, formatRate } from "@/server/domain/health/format";

const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);
const MIN = 60_000;

describe("since when a verdict holds", () => {
  it("is the first sample of the latest run of the same verdict", () => {
    const history = [
      { t: T0, verdict: "CRIT" as const },
      { t: T0 + MIN, verdict: "OK" as const },
      { t: T0 + 2 * MIN, verdict: "CRIT" as const },
      { t: T0 + 3 * MIN, verdict: "CRIT" as const },
      { t: T0 + 4 * MIN, verdict: "CRIT" as const },
    ];
    expect(verdictSince(history)).toEqual({ verdict: "CRIT", since: T0 + 2 * MIN });
    // In any order.
    expect(verdictSince([...history].reverse())).toEqual({ verdict: "CRIT", since: T0 + 2 * MIN });
  });

  it("starts at the latest sample when the verdict just changed, and is null without history", () => {
    expect(verdictSince([{ t: T0, verdict: "OK" }, { t: T0 + MIN, verdict: "WARN" }])).toEqual({ verdict: "WARN", since: T0 + MIN });
    expect(verdictSince([{ t: T0, verdict: "OK" }])).toEqual({ verdict: "OK", since: T0 });
    expect(verdictSince([])).toBeNull();
  });
});

describe("formatting", () => {
  it("writes durations as an operator reads them, rounded down", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(59_999)).toBe("59 s");
    expect(formatDuration(60_000)).toBe("1 min");
    expect(formatDuration(6 * MIN + 40_000)).toBe("6 min");
    expect(formatDuration(125 * MIN)).toBe("2 h 5 min");
    expect(formatDuration(120 * MIN)).toBe("2 h");
    expect(formatDuration((3 * 24 + 4) * 60 * MIN + 5 * MIN)).toBe("3 d 4 h");
    expect(formatDuration(-5)).toBe("0 s");
  });

  it("writes counts, percentages, rates and sizes", () => {
    expect(formatCount(12_400)).toBe("12,400");
    expect(formatPercent(0.91)).toBe("91%");
    expect(formatPercent(0.023)).toBe("2.3%");
    expect(formatPercent(0.005)).toBe("0.5%");
    expect(formatPercent(0.01)).toBe("1%");
    expect(formatRate(0.38, "msg/s")).toBe("0.38 msg/s");
    expect(formatRate(1204.4, "msg/s")).toBe("1,204 msg/s");
    expect(formatBytes(1.5 * 1024 ** 3)).toBe("1.5 GiB");
    expect(formatBytes(512)).toBe("512 B");
  });

  it("adds decimals until a figure and its level read differently", () => {
    expect(contrast(0.0104, 0.01, formatPercent)).toEqual(["1.04%", "1%"]);
    expect(contrast(0.023, 0.01, formatPercent)).toEqual(["2.3%", "1%"]);
  });
});
