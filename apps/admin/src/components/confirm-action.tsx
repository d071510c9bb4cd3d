"use client";

import { type ReactNode, useActionState, useId, useRef } from "react";
import { SubmitButton } from "./submit-button";

export interface ActionState {
  readonly error?: string;
  readonly done?: string;
}

/**
 * A dangerous action behind a confirmation dialog (native `<dialog>`: focus
 * is trapped, Escape cancels). `action` is a server action; `fields` travel
 * as hidden inputs.
 */
export function ConfirmAction({
  label,
  title,
  children,
  confirmLabel,
  pendingLabel,
  action,
  fields,
  tone = "danger",
}: {
  readonly label: string;
  readonly title: string;
  readonly children: ReactNode;
  readonly confirmLabel: string;
  readonly pendingLabel: string;
  readonly action: (previous: ActionState, form: FormData) => Promise<ActionState>;
  readonly fields: Readonly<Record<string, string>>;
  readonly tone?: "danger" | "normal";
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [state, formAction] = useActionState<ActionState, FormData>(async (prev, form) => {
    const next = await action(prev, form);
    if (!next.error) dialog.current?.close();
    return next;
  }, {});
  const buttonClass = tone === "danger" ? "button button-danger" : "button";
  return (
    <>
      <button
        type="button"
        className={`${buttonClass} button-small`}
        onClick={() => dialog.current?.showModal()}
      >
        {label}
      </button>
      {state.done && (
        <span className="muted small" role="status">
          {" "}
          {state.done}
        </span>
      )}
      <dialog ref={dialog} className="dialog" aria-labelledby={titleId}>
        <form action={formAction} className="stack">
          <h2 id={titleId}>{title}</h2>
          <div>{children}</div>
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          {state.error && (
            <p className="form-error" role="alert">
              {state.error}
            </p>
          )}
          <div className="dialog-actions">
            <button
              type="button"
              className="button button-quiet"
              onClick={() => dialog.current?.close()}
            >
              Cancel
            </button>
            <SubmitButton className={buttonClass} pendingLabel={pendingLabel}>
              {confirmLabel}
            </SubmitButton>
          </div>
        </form>
      </dialog>
    </>
  );
}
