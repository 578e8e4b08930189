"use client";
// Where request forms open: a panel over the right of the page (Esc closes it, the first field
// has the focus), driven by the address bar so any page can be linked with its form open and
// prefilled: `?action=service.scale&p.region=eu-west-1&p.replicas=8&reason=...`.
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { Button } from "@/components/ui";
import { useUrlState, type QueryUpdate } from "@/lib/use-url-state";
import type { FieldValues } from "./request-action-fields";
import { RequestActionForm, type ActionFormSpec } from "./request-action-form";
import { CreatedRequest } from "./request-action-status";

const PREFILL = "p.";

function ActionDialog({ title, subtitle, onClose, children }: { title: string; subtitle: ReactNode; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    // Removing the element takes it out of the top layer: no close() on unmount, whose event
    // would arrive after a development remount and close the dialog again.
    if (!dialog.open) dialog.showModal();
    const first = dialog.querySelector<HTMLElement>("[data-autofocus]");
    first?.focus();
    // Typing replaces the prefilled value: the common case is a new number, not an edit of the old one.
    if (first instanceof HTMLInputElement) first.select();
  }, []);
  return (
    <dialog
      ref={ref}
      onClose={onClose}
      // Keys typed here are the form's: the page's list keys and shortcuts must not see them.
      onKeyDown={(event) => event.stopPropagation()}
      aria-labelledby={headingId}
      className="fixed inset-y-0 right-0 left-auto m-0 h-dvh max-h-dvh w-[30rem] max-w-full overflow-y-auto border-l border-zinc-300 bg-white p-0 text-zinc-900 shadow-2xl backdrop:bg-zinc-950/40 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
      data-testid="action-dialog"
    >
      <header className="sticky top-0 z-10 flex items-start gap-2 border-b border-zinc-200 bg-zinc-50 px-3 py-2 dark:border-zinc-800 dark:bg-zinc-900">
        <div className="min-w-0">
          <h2 id={headingId} className="text-sm font-semibold">
            {title}
          </h2>
          <p className="truncate text-[11px] text-zinc-500">{subtitle}</p>
        </div>
        <Button size="xs" className="ml-auto" onClick={() => ref.current?.close()} aria-label="Close (Esc)" title="Close (Esc)" data-testid="action-dialog-close">
          Esc ✕
        </Button>
      </header>
      <div className="p-3">{children}</div>
    </dialog>
  );
}

/** The `p.` values of the address bar, by field name. */
function prefillOf(searchParams: URLSearchParams): FieldValues {
  const values: FieldValues = {};
  for (const [key, value] of searchParams.entries()) if (key.startsWith(PREFILL)) values[key.slice(PREFILL.length)] = value;
  return values;
}

/** The keys that clear every form parameter from the address bar. */
function clearedForm(): QueryUpdate {
  const update: QueryUpdate = { action: null, reason: null };
  for (const key of new URLSearchParams(window.location.search).keys()) if (key.startsWith(PREFILL)) update[key] = null;
  return update;
}

/**
 * The request forms a page offers. `forms` holds one spec per kind the page can request (null
 * while its data loads, false when it does not apply); a form opens when the address bar names
 * its kind, so `open` only writes the address. Nothing opens for someone who may not request.
 */
export function useActionLauncher(forms: ReadonlyArray<ActionFormSpec | null | false>, { allowed }: { allowed: boolean }) {
  const url = useUrlState();
  const kind = url.get("action");
  const [lastCreated, setLastCreated] = useState<string | null>(null);
  const spec = allowed && kind ? (forms.find((form): form is ActionFormSpec => Boolean(form) && (form as ActionFormSpec).kind === kind) ?? null) : null;
  const prefill = prefillOf(url.searchParams);
  const reason = url.get("reason") ?? "";

  const open = (formKind: string, values: FieldValues = {}, openReason?: string) => {
    const update = clearedForm();
    update.action = formKind;
    update.reason = openReason ?? null;
    for (const [name, value] of Object.entries(values)) update[`${PREFILL}${name}`] = value;
    url.set(update);
  };
  const close = () => url.set(clearedForm());

  const dialog = spec ? (
    <ActionDialog
      key={`${spec.kind}?${JSON.stringify(prefill)}`}
      title={spec.title}
      subtitle={
        <>
          {spec.kind} · environment {spec.environment}
        </>
      }
      onClose={close}
    >
      <RequestActionForm spec={spec} prefill={prefill} initialReason={reason} onCreated={setLastCreated} onDone={close} />
    </ActionDialog>
  ) : null;
  // Once the form is closed, the request it created stays in sight until the page is left.
  const status = lastCreated && !spec ? <CreatedRequest id={lastCreated} compact testId="last-request" /> : null;
  return { open, close, dialog, status, openKind: spec?.kind ?? null };
}

/** A button that opens a request form. */
export function ActionButton({
  kind,
  onOpen,
  children,
  variant = "secondary",
  size = "xs",
  title,
  disabled,
  testId,
}: {
  kind: string;
  onOpen: () => void;
  children: ReactNode;
  variant?: "primary" | "secondary" | "danger";
  size?: "xs" | "sm";
  title?: string;
  disabled?: boolean;
  testId?: string;
}) {
  return (
    <Button size={size} variant={variant} onClick={onOpen} title={title} disabled={disabled} aria-haspopup="dialog" data-testid={testId ?? `open-${kind}`}>
      {children}
    </Button>
  );
}
