"use client";
// The editable fields of an action request form: what each field is, how the typed text becomes
// the request's parameters, and the compact inputs. Values are kept as the text typed, so a
// half-typed number is never silently rewritten; the server's messages explain a bad one.
import clsx from "clsx";
import type { KeyboardEvent, ReactNode } from "react";
import { FieldError, inputClass } from "@/components/ui";

/** The text of every field, by field name. */
export type FieldValues = Record<string, string>;

export interface FieldOption {
  value: string;
  label: string;
}

type Derived<T> = T | ((values: FieldValues) => T);

interface FieldBase {
  /** The parameter it sets: "replicas"; "weights.eu-west-1" sets params.weights["eu-west-1"]. */
  name: string;
  label: string;
  /** What the system holds now, when the page knows it: a field is "changed" when it differs. */
  current?: Derived<string | undefined>;
  /** Where the field starts (default: `current`). A function follows earlier fields until the user types. */
  initial?: Derived<string>;
  hint?: Derived<ReactNode>;
  /** Left out of the request when blank. */
  optional?: boolean;
  /** Left out of the request while equal to `current` (a patch of only what changes). */
  omitUnchanged?: boolean;
  shownWhen?: (values: FieldValues) => boolean;
  /** Takes the whole row. */
  wide?: boolean;
}

export type FieldSpec =
  | (FieldBase & { type: "number"; min?: number; max?: number; step?: number; unit?: string })
  | (FieldBase & { type: "select"; options: Derived<FieldOption[]> })
  | (FieldBase & { type: "text"; placeholder?: string; suggestions?: string[]; mono?: boolean })
  /** A local date and time; sent as an ISO instant. */
  | (FieldBase & { type: "datetime" });

const resolve = <T,>(value: Derived<T>, values: FieldValues): T => (typeof value === "function" ? (value as (values: FieldValues) => T)(values) : value);

export const isShown = (field: FieldSpec, values: FieldValues) => field.shownWhen?.(values) ?? true;
export const optionsOf = (field: Extract<FieldSpec, { type: "select" }>, values: FieldValues) => resolve(field.options, values);
export const currentOf = (field: FieldSpec, values: FieldValues) => (field.current === undefined ? undefined : resolve(field.current, values));
export const hintOf = (field: FieldSpec, values: FieldValues) => (field.hint === undefined ? null : resolve(field.hint, values));

/**
 * Every field's text: what the user typed (or a link prefilled), else its initial value, which
 * may follow the fields before it (the replicas follow the region chosen). A select falls back
 * to its first option when its value is not one of them.
 */
export function resolveValues(fields: readonly FieldSpec[], edited: FieldValues): FieldValues {
  const values: FieldValues = {};
  for (const field of fields) {
    const own = edited[field.name];
    const start = field.initial !== undefined ? resolve(field.initial, values) : (currentOf(field, values) ?? "");
    let value = own ?? start;
    if (field.type === "select" && own === undefined) {
      const options = optionsOf(field, values);
      if (!options.some((option) => option.value === value)) value = options[0]?.value ?? "";
    }
    values[field.name] = value;
  }
  return values;
}

/** "6" → 6; "2.5" and "-1" as typed, so the server's message explains them; "" or "abc" → null. */
export function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** "2024-05-01T02:40" (the browser's local time) → its ISO instant; null when it is not a time. */
export function localToIso(text: string): string | null {
  if (!text) return null;
  const ms = new Date(text).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** An ISO instant (or epoch ms) as a datetime-local input's value, in the browser's time. */
export function isoToLocal(value: string | number | Date): string {
  const date = new Date(value);
  if (!Number.isFinite(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export interface BuiltParams {
  params: Record<string, unknown>;
  /** Labels of required fields left blank (or not a number). */
  missing: string[];
  /** Some field the page knows the current value of differs from it. */
  changed: boolean;
  /** The page knows the current value of some shown field (else "changed" means nothing). */
  knowsCurrent: boolean;
}

function setPath(target: Record<string, unknown>, name: string, value: unknown) {
  const dot = name.indexOf(".");
  if (dot < 0) {
    target[name] = value;
    return;
  }
  const head = name.slice(0, dot);
  const inner = (target[head] ??= {}) as Record<string, unknown>;
  inner[name.slice(dot + 1)] = value;
}

/** The request's parameters: the fixed ones (the target) and the shown fields, typed. */
export function buildParams(fixed: Record<string, unknown>, fields: readonly FieldSpec[], values: FieldValues): BuiltParams {
  const params: Record<string, unknown> = structuredClone(fixed);
  const missing: string[] = [];
  let changed = false;
  let knowsCurrent = false;
  for (const field of fields) {
    if (!isShown(field, values)) continue;
    const text = values[field.name] ?? "";
    const current = currentOf(field, values);
    if (current !== undefined) knowsCurrent = true;
    const differs = current !== undefined && text.trim() !== current;
    if (differs) changed = true;
    if (field.omitUnchanged && current !== undefined && !differs) continue;
    if (text.trim() === "") {
      if (!field.optional) missing.push(field.label);
      continue;
    }
    if (field.type === "number") {
      const value = parseNumber(text);
      if (value === null) missing.push(field.label);
      else setPath(params, field.name, value);
    } else if (field.type === "datetime") {
      const value = localToIso(text);
      if (value === null) missing.push(field.label);
      else setPath(params, field.name, value);
    } else {
      setPath(params, field.name, text.trim());
    }
  }
  return { params, missing, changed, knowsCurrent };
}

/** One field: label, input, the hint under it, and the errors that name it. */
export function FieldInput({
  field,
  values,
  onChange,
  errors,
  autoFocus,
  inputId,
  testId,
  onSubmitShortcut,
}: {
  field: FieldSpec;
  values: FieldValues;
  onChange: (value: string) => void;
  errors: string[] | undefined;
  autoFocus: boolean;
  inputId: string;
  testId: string;
  onSubmitShortcut: () => void;
}) {
  const value = values[field.name] ?? "";
  const current = currentOf(field, values);
  const hint = hintOf(field, values);
  const errorId = `${field.name}-error`;
  const common = {
    id: inputId,
    value,
    "aria-invalid": errors?.length ? true : undefined,
    "aria-describedby": `${inputId}-hint ${errorId}`,
    "data-testid": testId,
    "data-autofocus": autoFocus ? "" : undefined,
    onKeyDown: (event: KeyboardEvent) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        onSubmitShortcut();
      }
    },
  };
  let input: ReactNode;
  if (field.type === "select") {
    const listed = optionsOf(field, values);
    // A value a link prefilled that the page does not list is shown as it is; the server judges it.
    const options = value && !listed.some((option) => option.value === value) ? [{ value, label: value }, ...listed] : listed;
    input = (
      <select {...common} onChange={(event) => onChange(event.target.value)} className={clsx(inputClass, "w-full")}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    );
  } else if (field.type === "number") {
    input = (
      <span className="flex items-center gap-1">
        <input
          {...common}
          type="number"
          inputMode="numeric"
          step={field.step ?? 1}
          min={field.min}
          max={field.max}
          onChange={(event) => onChange(event.target.value)}
          className={clsx(inputClass, "w-full min-w-0 tabular-nums")}
        />
        {field.unit && <span className="text-[11px] text-zinc-500">{field.unit}</span>}
      </span>
    );
  } else if (field.type === "datetime") {
    input = <input {...common} type="datetime-local" onChange={(event) => onChange(event.target.value)} className={clsx(inputClass, "w-full tabular-nums")} />;
  } else {
    const listId = field.suggestions?.length ? `${inputId}-suggestions` : undefined;
    input = (
      <>
        <input
          {...common}
          type="text"
          list={listId}
          spellCheck={false}
          autoComplete="off"
          placeholder={field.placeholder}
          onChange={(event) => onChange(event.target.value)}
          className={clsx(inputClass, "w-full", field.mono && "font-mono")}
        />
        {listId && (
          <datalist id={listId}>
            {field.suggestions?.map((suggestion) => (
              <option key={suggestion} value={suggestion} />
            ))}
          </datalist>
        )}
      </>
    );
  }
  const showNow = current !== undefined && field.type === "number";
  return (
    <div className={clsx("min-w-0", field.wide && "col-span-full")}>
      <div className="mb-0.5 flex items-baseline gap-1 text-[11px]">
        <label htmlFor={inputId} className="min-w-0 truncate font-medium text-zinc-600 dark:text-zinc-400">
          {field.label}
          {field.optional && !field.omitUnchanged && <span className="font-normal text-zinc-500"> (optional)</span>}
        </label>
        {showNow && (
          <span className="ml-auto shrink-0 tabular-nums text-zinc-500" title="the value now">
            now {current === "" ? "–" : current}
          </span>
        )}
      </div>
      {input}
      <p id={`${inputId}-hint`} className={clsx("mt-0.5 text-[11px] text-zinc-500", !hint && "sr-only")}>
        {hint}
      </p>
      <FieldError id={errorId} messages={errors} />
    </div>
  );
}
