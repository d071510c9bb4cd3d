import { NotOwner } from "./cluster.js";

/**
 * Resources an owner has just handed to another node, each until a time:
 * writes arriving here meanwhile are turned away with a retryable
 * `not_owner` (the router then finds the new owner) instead of reclaiming the
 * resource before its successor has claimed it. After the window the entry
 * goes, and the resource is an ordinary one again.
 */
export class HandOverHolds<K> {
  private readonly until = new Map<K, number>();

  constructor(private readonly now: () => number) {}

  hold(key: K, holdMs: number): void {
    this.until.set(key, this.now() + holdMs);
  }

  /** Whether `key` is held now. */
  held(key: K): boolean {
    const until = this.until.get(key);
    return until !== undefined && until > this.now();
  }

  /** Throws NotOwner (naming `resource`) while `key` is held. */
  assertServing(key: K, resource: string): void {
    const until = this.until.get(key);
    if (until === undefined) return;
    if (until > this.now()) throw new NotOwner(resource);
    this.until.delete(key);
  }
}
