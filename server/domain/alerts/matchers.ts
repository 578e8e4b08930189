// Silence matchers in Alertmanager's API v2 form, how they apply to an alert's labels, and the
// scope a silence needs to be created by someone. Pure.
import { placementOf, actingScopeOf, linkAlertResource, type AlertLabelNames, type AlertLabels } from "./resource";
import type { Scope } from "../permissions";

export interface SilenceMatcher {
  name: string;
  value: string;
  /** The value is a regular expression, anchored at both ends. */
  isRegex: boolean;
  /** false: the label must NOT match. */
  isEqual: boolean;
}

/** Matchers that select exactly this label set: one equality per label. */
export function matchersForLabels(labels: AlertLabels): SilenceMatcher[] {
  return Object.keys(labels)
    .sort()
    .map((name) => ({ name, value: labels[name]!, isRegex: false, isEqual: true }));
}

/**
 * Alertmanager's rule: a missing label has the value "", and a regular expression must match
 * the whole value. (Alertmanager's expressions are Go's RE2; the common subset behaves alike.)
 */
export function matcherMatches(matcher: SilenceMatcher, labels: AlertLabels): boolean {
  const value = labels[matcher.name] ?? "";
  let matches: boolean;
  if (matcher.isRegex) {
    try {
      matches = new RegExp(`^(?:${matcher.value})$`, "u").test(value);
    } catch {
      matches = false;
    }
  } else {
    matches = value === matcher.value;
  }
  return matcher.isEqual ? matches : !matches;
}

export function matchersMatch(matchers: readonly SilenceMatcher[], labels: AlertLabels): boolean {
  return matchers.every((matcher) => matcherMatches(matcher, labels));
}

/** Why a set of matchers cannot be a silence, or null. Alertmanager refuses the same. */
export function matchersProblem(matchers: readonly SilenceMatcher[]): string | null {
  if (matchers.length === 0) return "a silence needs at least one matcher";
  for (const matcher of matchers) {
    if (!matcher.isRegex) continue;
    try {
      new RegExp(matcher.value, "u");
    } catch {
      return `the matcher ${describeMatcher(matcher)} is not a valid regular expression`;
    }
  }
  // A silence whose every matcher also matches a missing label would silence every alert.
  if (matchers.every((matcher) => matcherMatches(matcher, {}))) {
    return "at least one matcher must require a label value (every matcher here also matches an alert without the label, so the silence would cover every alert)";
  }
  return null;
}

export function describeMatcher(matcher: SilenceMatcher): string {
  const operator = matcher.isRegex ? (matcher.isEqual ? "=~" : "!~") : matcher.isEqual ? "=" : "!=";
  return `${matcher.name}${operator}${JSON.stringify(matcher.value)}`;
}

/**
 * The scope someone needs to create a silence: what its equality matchers pin down, read like
 * an alert's labels. Matchers that pin no environment reach every environment (`*`/`*`); ones
 * that pin an environment but no resource reach all of it. So a namespaced operator can
 * silence their own services' alerts, and only a broad grant covers a broad silence.
 */
export function silenceScope(matchers: readonly SilenceMatcher[], names: AlertLabelNames): Scope {
  const pinned: Record<string, string> = {};
  for (const matcher of matchers) {
    if (matcher.isEqual && !matcher.isRegex && matcher.value !== "") pinned[matcher.name] = matcher.value;
  }
  const environment = pinned[names.environment] ?? null;
  return actingScopeOf(placementOf(environment, linkAlertResource(pinned, names)));
}
