/**
 * Change notification between owners and the nodes that have subscribers
 * (DESIGN §1). Delivery is best effort and ordered per topic from one
 * publisher; subscribers fill any gap from storage, so a lost event costs
 * latency, never data.
 */
/**
 * Delivered to every handler when the bus itself may have dropped events
 * (e.g. after a reconnect): subscribers re-read storage from their position.
 */
export const BUS_RESYNC = Symbol.for("strata.bus.resync");

export interface Bus {
  publish(topic: string, event: unknown): void;
  /** Resolves once the subscription is active: events published after that reach `handler`. */
  subscribe(topic: string, handler: (event: unknown) => void): Promise<() => void>;
  close(): Promise<void>;
}

/** The single-node bus: synchronous fan-out inside the process. */
export class InProcessBus implements Bus {
  private readonly topics = new Map<string, Set<(event: unknown) => void>>();

  publish(topic: string, event: unknown): void {
    const handlers = this.topics.get(topic);
    if (!handlers) return;
    for (const handler of handlers) handler(event);
  }

  async subscribe(topic: string, handler: (event: unknown) => void): Promise<() => void> {
    let handlers = this.topics.get(topic);
    if (!handlers) this.topics.set(topic, (handlers = new Set()));
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
      if (handlers.size === 0) this.topics.delete(topic);
    };
  }

  async close(): Promise<void> {
    this.topics.clear();
  }
}
