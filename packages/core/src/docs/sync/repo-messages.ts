import { decode, Encoder } from "cbor-x";
import { z } from "zod";
import { jsonBoundsIssue } from "../../common/json-bounds.js";
import { pgText } from "../../common/storable-text.js";
import { StrataError } from "../../errors.js";
import { toFieldIssues } from "../../validation.js";

/**
 * The automerge-repo network protocol as `@automerge/automerge-repo` 2.x and
 * its WebSocket adapters speak it: one binary frame per message, each a CBOR
 * map tagged by `type`. Field names and shapes follow the repo's
 * `network/messages.ts` and the adapter's `messages.ts`.
 */
export const REPO_PROTOCOL_VERSION = "1";

export interface PeerMetadata {
  readonly storageId?: string;
  readonly isEphemeral?: boolean;
}

const bytes = z.instanceof(Uint8Array, { message: "must be a byte string" });
const id = pgText(z.string().min(1).max(200));
const routed = { senderId: id, targetId: id.optional() };

const join = z.looseObject({
  type: z.literal("join"),
  senderId: id,
  peerMetadata: z
    .looseObject({ storageId: id.optional(), isEphemeral: z.boolean().optional() })
    .optional(),
  supportedProtocolVersions: z.array(z.string()).max(100).optional(),
});
const sync = z.looseObject({
  type: z.enum(["sync", "request"]),
  ...routed,
  documentId: id,
  data: bytes,
});
const ephemeral = z.looseObject({
  type: z.literal("ephemeral"),
  ...routed,
  documentId: id,
  sessionId: id,
  count: z.number().int().nonnegative(),
  data: bytes,
});
const unavailable = z.looseObject({
  type: z.literal("doc-unavailable"),
  ...routed,
  documentId: id,
});
const subscription = z.looseObject({
  type: z.literal("remote-subscription-change"),
  ...routed,
  add: z.array(id).max(1000).optional(),
  remove: z.array(id).max(1000).optional(),
});
const remoteHeads = z.looseObject({
  type: z.literal("remote-heads-changed"),
  ...routed,
  documentId: id,
  newHeads: z.record(z.string(), z.unknown()),
});

const fromPeer = z.discriminatedUnion("type", [
  join,
  sync,
  ephemeral,
  unavailable,
  subscription,
  remoteHeads,
]);

/** What a peer may send. */
export type PeerMessage = z.infer<typeof fromPeer>;
export type SyncOrRequest = z.infer<typeof sync>;
export type EphemeralFromPeer = z.infer<typeof ephemeral>;

/** What Strata sends. */
export type ServerMessage =
  | {
      type: "peer";
      senderId: string;
      targetId: string;
      peerMetadata: PeerMetadata;
      selectedProtocolVersion: string;
    }
  | { type: "error"; senderId: string; targetId: string; message: string }
  | { type: "sync"; senderId: string; targetId: string; documentId: string; data: Uint8Array }
  | { type: "doc-unavailable"; senderId: string; targetId: string; documentId: string }
  | {
      type: "ephemeral";
      senderId: string;
      targetId: string;
      documentId: string;
      sessionId: string;
      count: number;
      data: Uint8Array;
    }
  | {
      type: "remote-heads-changed";
      senderId: string;
      targetId: string;
      documentId: string;
      newHeads: Record<string, { heads: string[]; timestamp: number }>;
    };

/** A frame that is not CBOR, not a map, or not a message this protocol knows. */
export class MalformedRepoMessage extends StrataError {
  readonly code = "malformed_message";
  readonly status = 400;
}

/** Decodes and checks one frame from a peer. */
export function decodePeerMessage(frame: Uint8Array): PeerMessage {
  let value: unknown;
  try {
    value = decode(frame);
  } catch (err) {
    throw new MalformedRepoMessage(`The frame is not CBOR: ${(err as Error).message}`);
  }
  const tooDeep = jsonBoundsIssue(value);
  if (tooDeep) throw new MalformedRepoMessage(`The frame ${tooDeep.message} at '${tooDeep.path}'.`);
  const result = fromPeer.safeParse(value);
  if (result.success) return result.data;
  const type = (value as { type?: unknown } | null)?.type;
  const first = toFieldIssues(result.error.issues)[0];
  throw new MalformedRepoMessage(
    typeof type === "string" && !KNOWN_TYPES.has(type)
      ? `Unknown message type '${type.slice(0, 50)}'.`
      : `Malformed '${String(type)}' message: ${first?.path || "message"} ${first?.message ?? ""}`.trim(),
  );
}

const KNOWN_TYPES = new Set([
  "join",
  "sync",
  "request",
  "ephemeral",
  "doc-unavailable",
  "remote-subscription-change",
  "remote-heads-changed",
]);

// The repo's own encoder settings: plain maps (no record extension) and untagged byte strings.
const encoder = new Encoder({ useRecords: false, tagUint8Array: false });

export function encodeServerMessage(message: ServerMessage): Uint8Array {
  return encoder.encode(message);
}
