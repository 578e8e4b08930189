// Choosing the time grid of a range query. Aligning start and end to multiples of the step
// (counted from the epoch) makes two viewers who open the same chart a few seconds apart ask
// the same question, so the cache answers the second; and it keeps points on the same
// timestamps from one refresh to the next, so a chart does not shimmer.

/** Prometheus refuses a range query whose (end - start) / step exceeds 11,000. */
export const MAX_POINTS_PER_SERIES = 11_000;

export interface RangeWindow {
  /** epoch milliseconds */
  start: number;
  /** epoch milliseconds */
  end: number;
  /** seconds between points */
  stepSeconds: number;
}

/**
 * Steps people read easily and that divide minutes, hours and days, so aligned windows fall on
 * round times. Beyond a day, whole days.
 */
const NICE_STEPS_SECONDS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
const DAY_SECONDS = 86400;

function assertValidWindow(window: RangeWindow): void {
  const { start, end, stepSeconds } = window;
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError(`A range needs finite start and end times, got ${start} and ${end}`);
  if (end < start) throw new RangeError(`The range ends (${new Date(end).toISOString()}) before it starts (${new Date(start).toISOString()})`);
  if (!(stepSeconds > 0) || !Number.isFinite(stepSeconds)) throw new RangeError(`The step must be a positive number of seconds, got ${stepSeconds}`);
}

/** Whole milliseconds: the grid must be exact for alignment and for Prometheus's timestamps. */
function stepMilliseconds(stepSeconds: number): number {
  return Math.max(1, Math.round(stepSeconds * 1000));
}

/** The smallest "nice" step at least `seconds` long; fractions of a second stay as they are. */
export function niceStepAtLeast(seconds: number): number {
  if (seconds <= 1) return seconds;
  const nice = NICE_STEPS_SECONDS.find((step) => step >= seconds);
  return nice ?? Math.ceil(seconds / DAY_SECONDS) * DAY_SECONDS;
}

function nextNiceStep(seconds: number): number {
  return niceStepAtLeast(Math.max(1, Math.floor(seconds) + 1));
}

/** How many points each series of this window has: both ends included. */
export function pointsPerSeries(window: RangeWindow): number {
  assertValidWindow(window);
  return Math.floor((window.end - window.start) / stepMilliseconds(window.stepSeconds)) + 1;
}

/** Start rounded down and end rounded up to multiples of the step. */
export function alignToStep(window: RangeWindow): RangeWindow {
  assertValidWindow(window);
  const stepMs = stepMilliseconds(window.stepSeconds);
  return {
    start: Math.floor(window.start / stepMs) * stepMs,
    end: Math.ceil(window.end / stepMs) * stepMs,
    stepSeconds: stepMs / 1000,
  };
}

/**
 * The window aligned to its step, with the step enlarged (to a nice step) when the series would
 * otherwise exceed `maxPoints`. A step that already fits is kept as given.
 */
export function fitToPointLimit(window: RangeWindow, maxPoints: number = MAX_POINTS_PER_SERIES): RangeWindow {
  assertValidWindow(window);
  if (!(maxPoints >= 2)) throw new RangeError(`maxPoints must be at least 2, got ${maxPoints}`);
  let aligned = alignToStep(window);
  if (pointsPerSeries(aligned) <= maxPoints) return aligned;
  const spanSeconds = (window.end - window.start) / 1000;
  let stepSeconds = niceStepAtLeast(Math.max(window.stepSeconds, spanSeconds / (maxPoints - 1)));
  // Aligning widens the span by up to two steps; the next nice step absorbs that.
  for (;;) {
    aligned = alignToStep({ ...window, stepSeconds });
    if (pointsPerSeries(aligned) <= maxPoints) return aligned;
    stepSeconds = nextNiceStep(stepSeconds);
  }
}

export interface ChartWidthOptions {
  /** epoch milliseconds */
  start: number;
  /** epoch milliseconds */
  end: number;
  /** The plot area's width in CSS pixels. */
  widthPx: number;
  /** Finer than the scrape interval only repeats samples; pass the scrape interval. */
  minStepSeconds: number;
  /** One point per this many pixels: 2 keeps lines smooth without wasting points. */
  pixelsPerPoint?: number;
  maxPoints?: number;
}

/** The window a chart of this width should ask for: aligned, a nice step, within the point limit. */
export function windowForChartWidth(options: ChartWidthOptions): RangeWindow {
  const { start, end, widthPx, minStepSeconds, pixelsPerPoint = 2, maxPoints = MAX_POINTS_PER_SERIES } = options;
  if (!(widthPx > 0) || !Number.isFinite(widthPx)) throw new RangeError(`A chart width must be a positive number of pixels, got ${widthPx}`);
  if (!(minStepSeconds > 0)) throw new RangeError(`minStepSeconds must be positive, got ${minStepSeconds}`);
  const wantedPoints = Math.max(2, Math.floor(widthPx / Math.max(1, pixelsPerPoint)));
  const stepSeconds = niceStepAtLeast(Math.max(minStepSeconds, (end - start) / 1000 / (wantedPoints - 1)));
  return fitToPointLimit({ start, end, stepSeconds }, maxPoints);
}

/** Just the step of `windowForChartWidth`. */
export function stepForChartWidth(options: ChartWidthOptions): number {
  return windowForChartWidth(options).stepSeconds;
}
