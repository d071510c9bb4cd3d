/**
 * Stops reading a connection's frames for a while after its tenant went over
 * its rate. Answering every further frame with `rate_limited` costs the node
 * as much as serving it, so a client that ignores `retry_after_ms` and keeps
 * sending would take other tenants' CPU; not reading leaves it to TCP to slow
 * that client down, at no cost to anyone else. Frames already received are
 * still answered, in order.
 */
export class ReadThrottle {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pause: () => void,
    private readonly resume: () => void,
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  get active(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Stops reading for `ms`, within [`minMs`, `maxMs`], unless already stopped.
   * A token bucket's own retry time can be a millisecond, while the client has
   * a whole window of frames on the way: a pause that short only turns them
   * all into refusals, again and again.
   */
  hold(ms: number): void {
    if (this.timer) return;
    this.pause();
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.resume();
      },
      Math.max(this.minMs, Math.min(ms, this.maxMs)),
    );
    this.timer.unref();
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
