export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Reads Server-Sent Events from a fetch response, for tests. */
export class SseReader {
  readonly events: SseEvent[] = [];
  private buffer = "";
  private readonly controller = new AbortController();
  private waiters: (() => void)[] = [];
  done: Promise<void> = Promise.resolve();

  async open(url: string, headers: Record<string, string>): Promise<Response> {
    const res = await fetch(url, { headers, signal: this.controller.signal });
    if (res.body) this.done = this.pump(res.body.getReader()).catch(() => {});
    return res;
  }

  /** Resolves once `n` message events have arrived (or rejects after `ms`). */
  async waitFor(n: number, ms = 10_000): Promise<SseEvent[]> {
    const deadline = Date.now() + ms;
    while (this.messages().length < n) {
      if (Date.now() > deadline)
        throw new Error(`only ${this.messages().length} of ${n} events arrived`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.messages();
  }

  messages(): SseEvent[] {
    return this.events.filter((e) => e.event === "message");
  }

  close(): void {
    this.controller.abort();
  }

  private async pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      this.buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = this.buffer.indexOf("\n\n")) >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const e: SseEvent = { event: "message", data: "" };
        let hasData = false;
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          const [field, ...rest] = line.split(":");
          const v = rest.join(":").replace(/^ /, "");
          if (field === "id") e.id = v;
          else if (field === "event") e.event = v;
          else if (field === "data") {
            e.data += v;
            hasData = true;
          }
        }
        if (hasData) this.events.push(e);
      }
      for (const w of this.waiters.splice(0)) w();
    }
  }
}
