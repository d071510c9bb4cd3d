import {
  type KvEvent,
  type KvService,
  type KvWatchFrame,
  type Principal,
  type SubId,
} from "@strata/core";
import { type ConnectionSubscriptions, type Sub } from "./ws-subscriptions.js";

/** What KV watches need of their connection. */
export interface KvWatchHost {
  readonly principal: Principal;
  readonly kv: KvService;
  /** Writes one delivery as `kv.events` frames; false when the socket is now too full for more. */
  deliver(sub: SubId, events: readonly KvEvent[]): boolean;
}

/**
 * `kv.watch` frames: each opens a core KvWatch (backlog from the change log,
 * then live, exactly once) whose sink is the socket. Watches are registered
 * with the connection's subscriptions, so they share `sub` ids, the limit
 * per connection, `unsubscribe`, and flow control: a full socket pauses the
 * watch with `slow_consumer {next_revision}`, and it resumes from storage.
 */
export class KvWatches {
  constructor(
    private readonly subs: ConnectionSubscriptions,
    private readonly host: KvWatchHost,
  ) {}

  watch(f: KvWatchFrame): void {
    void this.open(f, this.subs.claim(f.sub));
  }

  private async open(f: KvWatchFrame, s: Sub): Promise<void> {
    const { subs, host } = this;
    try {
      // Access, the bucket and a compacted start are checked here, before `kv.watching`.
      const from = { prefix: f.prefix, revision: f.from_revision };
      const watch = await host.kv.watch(host.principal, f.bucket, from, {
        deliver: (events) => s.closed || host.deliver(f.sub, events),
        paused: (next) =>
          subs.paused(s, { type: "slow_consumer", sub: f.sub, next_revision: next }),
        failed: (err) => subs.failed(f.sub, s, err, { bucket: f.bucket }),
      });
      const next = watch.position;
      subs.opened(f, s, watch, { type: "kv.watching", id: f.id, sub: f.sub, next_revision: next });
    } catch (err) {
      subs.fail(f, s, err);
    }
  }
}
