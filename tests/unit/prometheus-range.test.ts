// Choosing a range query's grid: aligned to the step, within 11,000 points, following the chart's width.
import { describe, expect, it } from "vitest";
import { alignToStep, fitToPointLimit, MAX_POINTS_PER_SERIES, niceStepAtLeast, pointsPerSeries, stepForChartWidth, windowForChartWidth } from "../../server/adapters/prometheus/range";

const T = Date.UTC(2026, 10, 27, 10, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("range query windows", () => {
  it("aligns start down and end up to multiples of the step", () => {
    expect(alignToStep({ start: T + 12_345, end: T + 98_765, stepSeconds: 15 })).toEqual({ start: T, end: T + 105_000, stepSeconds: 15 });
    // Already aligned: unchanged.
    expect(alignToStep({ start: T, end: T + HOUR, stepSeconds: 60 })).toEqual({ start: T, end: T + HOUR, stepSeconds: 60 });
    // Two viewers a few seconds apart ask the same question.
    const first = alignToStep({ start: T + 1_000 - HOUR, end: T + 1_000, stepSeconds: 30 });
    const second = alignToStep({ start: T + 20_000 - HOUR, end: T + 20_000, stepSeconds: 30 });
    expect(second).toEqual(first);
  });

  it("counts points with both ends included", () => {
    expect(pointsPerSeries({ start: T, end: T + 60_000, stepSeconds: 15 })).toBe(5);
    expect(pointsPerSeries({ start: T, end: T, stepSeconds: 15 })).toBe(1);
  });

  it("keeps a step that fits and enlarges one that does not, to a nice step", () => {
    expect(fitToPointLimit({ start: T - HOUR, end: T, stepSeconds: 1 })).toEqual({ start: T - HOUR, end: T, stepSeconds: 1 });
    const week = fitToPointLimit({ start: T - 7 * DAY, end: T, stepSeconds: 1 });
    expect(week.stepSeconds).toBe(60); // 604,800 s / 10,999 = 55 s → 60 s
    expect(pointsPerSeries(week)).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    const year = fitToPointLimit({ start: T - 365 * DAY, end: T, stepSeconds: 15 });
    expect(year.stepSeconds).toBe(3600);
    expect(pointsPerSeries(year)).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
  });

  it("never exceeds the limit, whatever the window and alignment", () => {
    for (const days of [0.5, 1, 3, 7.3, 30, 90, 400, 3000]) {
      for (const offset of [0, 1, 7_777, 59_999]) {
        const window = fitToPointLimit({ start: T + offset - days * DAY, end: T + offset, stepSeconds: 1 });
        expect(pointsPerSeries(window)).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
        expect(window.start).toBeLessThanOrEqual(T + offset - days * DAY);
        expect(window.end).toBeGreaterThanOrEqual(T + offset);
        expect(window.start % (window.stepSeconds * 1000)).toBe(0);
      }
    }
    expect(pointsPerSeries(fitToPointLimit({ start: T - DAY, end: T, stepSeconds: 1 }, 100))).toBeLessThanOrEqual(100);
  });

  it("rounds steps up to ones that divide minutes, hours and days", () => {
    expect([0.5, 1, 3, 11, 16, 45, 61, 299, 301, 4000, 90_000].map(niceStepAtLeast)).toEqual([0.5, 1, 5, 15, 30, 60, 120, 300, 600, 7200, 172_800]);
  });

  it("picks the step from the chart's width: about one point per two pixels, never finer than the scrape interval", () => {
    expect(stepForChartWidth({ start: T - HOUR, end: T, widthPx: 800, minStepSeconds: 5 })).toBe(10); // 3600 s / 399 = 9 s → 10 s
    expect(stepForChartWidth({ start: T - 6 * HOUR, end: T, widthPx: 1200, minStepSeconds: 5 })).toBe(60); // 21600 / 599 = 36 s → 60 s
    expect(stepForChartWidth({ start: T - 10 * 60_000, end: T, widthPx: 2000, minStepSeconds: 5 })).toBe(5);
    expect(stepForChartWidth({ start: T - HOUR, end: T, widthPx: 800, minStepSeconds: 5, pixelsPerPoint: 8 })).toBe(60);
    // An absurdly wide chart still respects the point limit.
    expect(pointsPerSeries(windowForChartWidth({ start: T - 365 * DAY, end: T, widthPx: 10_000_000, minStepSeconds: 1 }))).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
  });

  it("rejects windows that make no sense", () => {
    expect(() => alignToStep({ start: T, end: T - 1, stepSeconds: 15 })).toThrow(/ends .* before it starts/);
    expect(() => alignToStep({ start: T, end: T, stepSeconds: 0 })).toThrow(/positive number of seconds/);
    expect(() => alignToStep({ start: Number.NaN, end: T, stepSeconds: 15 })).toThrow(/finite/);
    expect(() => stepForChartWidth({ start: T - HOUR, end: T, widthPx: 0, minStepSeconds: 5 })).toThrow(/positive number of pixels/);
  });
});
