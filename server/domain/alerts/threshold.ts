// The threshold an alert fired on, read from its rule's expression, and the figure of
// Scaleplane's pages that expression measures, so the page can draw the line on its chart. Pure.
//
// Only the simple shape is read: `<expression> <comparison> <number>` as the rule's first
// condition (what comes before `and`, `or`, `unless`). Relative conditions (`< 0.8 * avg(...)`),
// trends (`deriv(...) > 0`) and the like have no fixed line to draw, and give no threshold.

export const COMPARISONS = [">", ">=", "<", "<=", "==", "!="] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** A figure the resource pages chart: the service's RED and saturation series, a consumer group's lag. */
export type AlertFigure = "requestsPerSecond" | "errorRatio" | "p95LatencyMs" | "cpuUtilisation" | "replicas" | "consumerLag";

export interface AlertThreshold {
  /** The condition's left side, as written in the rule. */
  measured: string;
  comparison: Comparison;
  /** In the rule's own unit. */
  value: number;
  /** The page figure the left side measures, and the factor from the rule's unit to the figure's; null when none. */
  figure: { name: AlertFigure; scale: number } | null;
}

/** The expression Prometheus put into the alert's generator URL (`g0.expr`), or null. */
export function expressionOfGeneratorUrl(generatorUrl: string | null | undefined): string | null {
  if (!generatorUrl || !URL.canParse(generatorUrl)) return null;
  const expression = new URL(generatorUrl).searchParams.get("g0.expr");
  return expression && expression.trim() !== "" ? expression.trim() : null;
}

const OPENING = new Set(["(", "{", "["]);
const CLOSING = new Set([")", "}", "]"]);

/**
 * The expression's top-level tokens' positions: where the nesting depth is 0 and not inside a
 * string, so label matchers (`{code=~"5.."}`) and function arguments are never split.
 */
function topLevel(expression: string): boolean[] {
  const flags: boolean[] = [];
  let depth = 0;
  let quote: string | null = null;
  for (let index = 0; index < expression.length; index++) {
    const char = expression[index]!;
    if (quote) {
      flags.push(false);
      if (char === "\\") {
        flags.push(false);
        index++;
      } else if (char === quote) quote = null;
      continue;
    }
    if (char === '"' || char === "'" || char === "`") {
      quote = char;
      flags.push(false);
      continue;
    }
    if (OPENING.has(char)) depth++;
    flags.push(depth === 0 && !CLOSING.has(char));
    if (CLOSING.has(char)) depth = Math.max(0, depth - 1);
  }
  return flags;
}

/** The expression before its first top-level `and`, `or` or `unless`: the condition that sets the value. */
function firstCondition(expression: string, flags: boolean[]): string {
  const pattern = /\b(and|or|unless)\b/g;
  for (const match of expression.matchAll(pattern)) {
    if (flags[match.index] && flags[match.index + match[0].length - 1]) return expression.slice(0, match.index);
  }
  return expression;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** Vector matching and `bool` after a comparison: `> bool 0`, `> on (job) 0` does not compare with a number. */
const MODIFIER = /^(bool\s+)/;

function findComparison(condition: string, flags: boolean[]): { index: number; operator: Comparison } | null {
  for (let index = 0; index < condition.length; index++) {
    if (!flags[index]) continue;
    const two = condition.slice(index, index + 2);
    const one = condition[index]!;
    if (two === ">=" || two === "<=" || two === "==" || two === "!=") return { index, operator: two };
    if ((one === ">" || one === "<") && condition[index + 1] !== "=") return { index, operator: one };
  }
  return null;
}

const FLIPPED: Record<Comparison, Comparison> = { ">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "==", "!=": "!=" };

/** `<measured> <comparison> <number>` (or the number first), or null when the rule's condition is not that simple. */
export function simpleThreshold(expression: string): AlertThreshold | null {
  const flags = topLevel(expression);
  const condition = firstCondition(expression, flags);
  const found = findComparison(condition, flags);
  if (!found) return null;
  const left = condition.slice(0, found.index).trim();
  const right = condition.slice(found.index + found.operator.length).trim().replace(MODIFIER, "");
  if (NUMBER.test(right) && left !== "" && !NUMBER.test(left)) return withFigure(left, found.operator, Number(right));
  if (NUMBER.test(left) && right !== "" && !NUMBER.test(right)) return withFigure(right, FLIPPED[found.operator], Number(left));
  return null;
}

function withFigure(measured: string, comparison: Comparison, value: number): AlertThreshold {
  return { measured, comparison, value, figure: figureOf(measured) };
}

/**
 * Which page figure an expression measures, by the exporters' metric names (docs/metrics.md).
 * A rate of change (deriv, delta) measures something else than the figure it is taken of.
 */
export function figureOf(measured: string): AlertThreshold["figure"] {
  const text = measured.replace(/\s+/g, " ");
  if (/\b(deriv|delta|idelta|predict_linear|changes|resets)\s*\(/.test(text)) return null;
  if (/duration_seconds/.test(text) && /(p95|0\.95)/.test(text)) return { name: "p95LatencyMs", scale: 1000 };
  if (/error/.test(text) && /request/.test(text) && text.includes("/")) return { name: "errorRatio", scale: 1 };
  if (/^kube_deployment_status_replicas_available(\{[^}]*\})?$/.test(text)) return { name: "replicas", scale: 1 };
  if (/cpu_utili[sz]ation/.test(text)) return { name: "cpuUtilisation", scale: 1 };
  if (/kafka_consumergroup_lag/.test(text)) return { name: "consumerLag", scale: 1 };
  if (/http_server_requests?(:rate\w*|_total)?\b/.test(text) && !text.includes("/")) return { name: "requestsPerSecond", scale: 1 };
  return null;
}

/** The threshold of an alert from its generator URL's expression, or null. */
export function alertThreshold(generatorUrl: string | null | undefined): (AlertThreshold & { expression: string }) | null {
  const expression = expressionOfGeneratorUrl(generatorUrl);
  if (!expression) return null;
  const threshold = simpleThreshold(expression);
  return threshold ? { ...threshold, expression } : null;
}
