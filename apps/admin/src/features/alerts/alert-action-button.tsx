"use client";

import { useActionState } from "react";
import { type ActionState } from "@/components/confirm-action";
import { SubmitButton } from "@/components/submit-button";

/** One-click, undo-free but harmless action on an alert (acknowledge, resolve). */
export function AlertActionButton({
  id,
  label,
  pendingLabel,
  action,
  describedBy,
}: {
  readonly id: number;
  readonly label: string;
  readonly pendingLabel: string;
  readonly action: (previous: ActionState, form: FormData) => Promise<ActionState>;
  readonly describedBy: string;
}) {
  const [state, formAction] = useActionState<ActionState, FormData>(action, {});
  return (
    <form action={formAction} className="inline" aria-describedby={describedBy}>
      <input type="hidden" name="id" value={id} />
      <SubmitButton className="button button-small" pendingLabel={pendingLabel}>
        {label}
      </SubmitButton>
      {state.error && (
        <span className="form-error small" role="alert">
          {state.error}
        </span>
      )}
    </form>
  );
}
