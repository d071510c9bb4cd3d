import { Injectable } from "@nestjs/common";
import { type HandOver } from "@strata/core";

/**
 * The owners the rebalancer may move resources away from, one per kind of
 * placement resource (`stream:`, `bucket:`, `doc:`). Each capability's
 * module adds its owner at start; a resource whose kind has no owner here
 * is never moved.
 */
@Injectable()
export class HandOvers {
  private readonly owners: HandOver[] = [];

  add(owner: HandOver): void {
    if (this.owners.some((o) => o.prefix === owner.prefix)) {
      throw new Error(`an owner for ${owner.prefix} resources is registered twice`);
    }
    this.owners.push(owner);
  }

  /** The owner of `resource`'s kind, if it can hand resources over. */
  for(resource: string): HandOver | undefined {
    return this.owners.find((o) => resource.startsWith(o.prefix));
  }
}
