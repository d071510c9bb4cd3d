import { Encoder } from "cbor-x";
import { describe, expect, it } from "vitest";
import { DocReplica } from "./doc-replica.js";
import { encodeHeads } from "./heads-codec.js";
import { decodePeerMessage, encodeServerMessage, MalformedRepoMessage } from "./repo-messages.js";

const cbor = new Encoder({ useRecords: false, tagUint8Array: false });

describe(decodePeerMessage.name, () => {
  it("reads the messages a stock automerge-repo client sends", () => {
    const join = cbor.encode({
      type: "join",
      senderId: "peer-1",
      peerMetadata: { storageId: "s-1", isEphemeral: false },
      supportedProtocolVersions: ["1"],
    });
    expect(decodePeerMessage(join)).toMatchObject({ type: "join", senderId: "peer-1" });
    const sync = cbor.encode({
      type: "request",
      senderId: "peer-1",
      targetId: "strata",
      documentId: "doc",
      data: new Uint8Array([1, 2]),
    });
    expect(decodePeerMessage(sync)).toMatchObject({ type: "request", documentId: "doc" });
  });

  it("names what is wrong: not CBOR, unknown type, missing field", () => {
    expect(() => decodePeerMessage(new Uint8Array([0xff, 0xff]))).toThrow(MalformedRepoMessage);
    expect(() => decodePeerMessage(cbor.encode({ type: "teleport", senderId: "p" }))).toThrow(
      /Unknown message type 'teleport'/,
    );
    expect(() =>
      decodePeerMessage(cbor.encode({ type: "sync", senderId: "p", documentId: "d" })),
    ).toThrow(/data/);
  });

  it("refuses frames nested past the depth limit and ids PostgreSQL cannot store", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    const join = { type: "join", senderId: "peer-1", extra: deep };
    expect(() => decodePeerMessage(cbor.encode(join))).toThrow(/deeper than 100 levels/);
    const nul = { type: "join", senderId: "peer-1", peerMetadata: { storageId: "s\u0000" } };
    expect(() => decodePeerMessage(cbor.encode(nul))).toThrow(/peerMetadata.storageId/);
  });

  it("encodes byte strings untagged, as the repo's own encoder does", () => {
    const bytes = encodeServerMessage({
      type: "sync",
      senderId: "s",
      targetId: "t",
      documentId: "d",
      data: new Uint8Array([9]),
    });
    expect(Buffer.from(bytes).includes(Buffer.from([0x41, 0x09]))).toBe(true);
  });
});

describe(encodeHeads.name, () => {
  it("encodes hex heads as bs58check, like automerge-repo's encodeHeads", () => {
    const [h] = encodeHeads(["00".repeat(32)]);
    expect(h).toMatch(/^[1-9A-HJ-NP-Za-km-z]+$/);
  });
});

describe(DocReplica.name, () => {
  it("admits each (sender, session, count) ephemeral message once, so echoes stop", () => {
    const r = new DocReplica({ tenantId: "t", documentId: "d" as never });
    const m = { senderId: "a", sessionId: "s", count: 1 };
    expect(r.admitEphemeral(m)).toBe(true);
    expect(r.admitEphemeral(m)).toBe(false);
    expect(r.admitEphemeral({ ...m, count: 2 })).toBe(true);
    expect(r.admitEphemeral({ ...m, sessionId: "other" })).toBe(true);
    r.free();
  });
});
