// Reading an action request's stored JSON (params, preview, outcome) for display. The
// server writes these; the client still checks their shape instead of trusting a cast.

export interface PreviewChange {
  label: string;
  before: string;
  after: string;
}

export interface StoredPreview {
  risk: string | null;
  riskReasons: string[];
  summary: string | null;
  changes: PreviewChange[];
  monthlyCostDelta: number | null;
  /** The parameters of the request that would undo this one. */
  rollback: Record<string, unknown> | null;
}

export interface StoredOutcome {
  ok: boolean | null;
  message: string | null;
  resumed: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === "string" ? value : null);

export function readPreview(value: unknown): StoredPreview {
  const preview = isRecord(value) ? value : {};
  const changes = Array.isArray(preview.changes)
    ? preview.changes.filter(isRecord).map((change) => ({ label: String(change.label ?? ""), before: String(change.before ?? ""), after: String(change.after ?? "") }))
    : [];
  return {
    risk: str(preview.risk),
    riskReasons: Array.isArray(preview.riskReasons) ? preview.riskReasons.map(String) : [],
    summary: str(preview.summary),
    changes,
    monthlyCostDelta: typeof preview.monthlyCostDelta === "number" ? preview.monthlyCostDelta : null,
    rollback: isRecord(preview.rollback) ? preview.rollback : null,
  };
}

export function readOutcome(value: unknown): StoredOutcome | null {
  if (!isRecord(value)) return null;
  return { ok: typeof value.ok === "boolean" ? value.ok : null, message: str(value.message), resumed: value.resumed === true };
}

export function readParams(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** "replicas 3 → 6", from the preview's changes, else the raw parameters. */
export function summarizeChanges(preview: unknown, params: unknown): string {
  const { changes } = readPreview(preview);
  if (changes.length) return changes.map((change) => `${change.label} ${change.before} → ${change.after}`).join(", ");
  const raw = readParams(params);
  return Object.entries(raw)
    .filter(([key]) => key !== "service" && key !== "namespace" && key !== "region")
    .map(([key, v]) => `${key} ${String(v)}`)
    .join(", ");
}

/** "checkout/payments @eu-west-1" */
export function targetLabel(request: { namespace: string; target: string; params: unknown }): string {
  const region = str(readParams(request.params).region);
  return `${request.namespace}/${request.target}${region ? ` @${region}` : ""}`;
}
