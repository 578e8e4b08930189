import { describe, expect, it } from "vitest";
import { adviceFor } from "../../app/(console)/queues/queue-model";

/** A group on 24 partitions whose 4 consumers read 100 msg/s each and fall behind. */
const group = (overrides: { totalLag?: number; members?: number; status?: "WARN" | "STOP" } = {}) => ({
  members: overrides.members ?? 4,
  consumedPerSecond: (overrides.members ?? 4) * 100,
  totalLag: overrides.totalLag ?? 30_000,
  partitions: Array.from({ length: 24 }, (_, partition) => ({ partition }) as never),
  health: { status: overrides.status ?? "WARN", timeToDrainSeconds: null },
});

describe("the consumer group page's advice", () => {
  it("names the count that keeps up with a quarter more than is produced and drains the lag", () => {
    // 560 msg/s produced: 6 consumers (600 msg/s) would barely keep up; with a quarter's
    // headroom plus 30,000 / 600 s it takes 750 msg/s, which 8 consumers (3 partitions each) manage.
    const advice = adviceFor(group(), 560);
    expect(advice).toMatchObject({ tone: "warn", scale: true, scaleTo: 8 });
    expect(advice.text).toContain("Scaling the consumer to 8 (the fewest that keep up with 25 % more than is produced, counting that a consumer reads whole partitions)");
  });

  it("goes to one per partition, and says so, when fewer will not do", () => {
    // 1,000 msg/s produced: 1,250 + 50 needed; 12 consumers (2 partitions each) manage 1,200.
    const advice = adviceFor(group(), 1000);
    expect(advice).toMatchObject({ scale: true, scaleTo: 24 });
    expect(advice.text).toContain("one per partition, the most that help");
  });

  it("says a drain of under a minute as such", () => {
    // 900 msg/s produced: 12 consumers (2 partitions each, 1,200 msg/s) drain 300 msg/s.
    expect(adviceFor(group({ totalLag: 30_000 }), 900).text).toContain("Scaling the consumer to 12 (the fewest that keep up with 25 % more than is produced, counting that a consumer reads whole partitions) drains it in about 2 min.");
    expect(adviceFor(group({ totalLag: 15_000 }), 900).text).toContain("drains it within a minute.");
  });

  it("advises no scaling when consumers have stopped committing", () => {
    expect(adviceFor(group({ status: "STOP" }), 560)).toMatchObject({ tone: "crit", scale: false });
  });
});
