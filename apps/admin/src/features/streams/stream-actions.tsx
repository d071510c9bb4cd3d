import { ConfirmAction } from "@/components/confirm-action";
import { formatNumber } from "@/lib/format";
import { type StreamDetail } from "@/lib/operator-types";
import { deleteStream, purgeStream, tierStream } from "./actions";

export function StreamActions({ stream }: { readonly stream: StreamDetail }) {
  const fields = { tenant: stream.tenant.name, name: stream.name };
  return (
    <div className="actions-row">
      <ConfirmAction
        label="Tier now…"
        title={`Tier ${stream.name} now?`}
        confirmLabel="Move to the object store"
        pendingLabel="Tiering…"
        action={tierStream}
        fields={fields}
        tone="normal"
      >
        <p>
          Moves the hot messages of <strong>{stream.name}</strong> (tenant {stream.tenant.name})
          into segments in the object store now, however few and however recent, instead of waiting
          for the tiering policy. Messages inside the dedup window stay hot. Reads keep working
          across both tiers.
        </p>
      </ConfirmAction>
      <ConfirmAction
        label="Purge…"
        title={`Purge ${stream.name}?`}
        confirmLabel="Purge every message"
        pendingLabel="Purging…"
        action={purgeStream}
        fields={fields}
      >
        <p>
          Removes all {formatNumber(stream.messages)} messages of <strong>{stream.name}</strong>{" "}
          (tenant {stream.tenant.name}). The stream, its config and consumers stay; new messages
          continue after seq {formatNumber(stream.last_seq)}. This cannot be undone.
        </p>
      </ConfirmAction>
      <ConfirmAction
        label="Delete stream…"
        title={`Delete ${stream.name}?`}
        confirmLabel="Delete the stream"
        pendingLabel="Deleting…"
        action={deleteStream}
        fields={fields}
      >
        <p>
          Deletes <strong>{stream.name}</strong> of tenant {stream.tenant.name} with its messages
          and consumers. Clients writing to it get 404 until it is created again. This cannot be
          undone.
        </p>
      </ConfirmAction>
    </div>
  );
}
