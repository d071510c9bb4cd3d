"use client";

import { useActionState } from "react";
import { type ActionState } from "@/components/confirm-action";
import { SubmitButton } from "@/components/submit-button";
import { retryJob } from "./actions";

export function RetryButton({ queue, id }: { readonly queue: string; readonly id: string }) {
  const [state, action] = useActionState<ActionState, FormData>(retryJob, {});
  return (
    <form action={action} className="inline">
      <input type="hidden" name="queue" value={queue} />
      <input type="hidden" name="id" value={id} />
      <SubmitButton className="button button-small" pendingLabel="Retrying…">
        Retry{" "}
        <span className="visually-hidden">
          job {id} of {queue}
        </span>
      </SubmitButton>
      {state.error && (
        <span className="form-error small" role="alert">
          {state.error}
        </span>
      )}
      {state.done && (
        <span className="muted small" role="status">
          {" "}
          {state.done}
        </span>
      )}
    </form>
  );
}
