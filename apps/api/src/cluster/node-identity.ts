import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/**
 * This process in the cluster. The id carries a fresh incarnation per start
 * (and per rejoin after being declared dead), so a returning node never
 * inherits anything.
 */
export class NodeIdentity {
  private current: string;

  constructor(
    readonly name: string = hostname(),
    readonly address: string = "",
  ) {
    this.current = NodeIdentity.incarnation(name);
  }

  get id(): string {
    return this.current;
  }

  /** A new incarnation id, after this node lost its lease. */
  renew(): string {
    this.current = NodeIdentity.incarnation(this.name);
    return this.current;
  }

  private static incarnation(name: string): string {
    return `${name}-${randomBytes(4).toString("hex")}`;
  }
}
