import { and, asc, eq, sql } from "drizzle-orm";
import { type Consumer, type ConsumerStore, type StreamId } from "@strata/core";
import { type Database } from "../client.js";
import { streamConsumers } from "../schema/streams/tables.js";

type Row = typeof streamConsumers.$inferSelect;

export class ConsumerStorePg implements ConsumerStore {
  constructor(private readonly db: Database) {}

  async upsert(streamId: StreamId, name: string, ackedSeq: number | undefined) {
    const [created] = await this.db
      .insert(streamConsumers)
      .values({ streamId, name, ackedSeq: ackedSeq ?? 0 })
      .onConflictDoNothing()
      .returning();
    if (created) return { consumer: toConsumer(created), created: true };
    if (ackedSeq !== undefined) {
      // An explicit position on an existing consumer moves it (also backwards: a replay).
      const [moved] = await this.db
        .update(streamConsumers)
        .set({ ackedSeq, updatedAt: sql`now()` })
        .where(and(eq(streamConsumers.streamId, streamId), eq(streamConsumers.name, name)))
        .returning();
      return { consumer: toConsumer(moved!), created: false };
    }
    return { consumer: (await this.get(streamId, name))!, created: false };
  }

  async get(streamId: StreamId, name: string): Promise<Consumer | null> {
    const [row] = await this.db
      .select()
      .from(streamConsumers)
      .where(and(eq(streamConsumers.streamId, streamId), eq(streamConsumers.name, name)));
    return row ? toConsumer(row) : null;
  }

  async list(streamId: StreamId): Promise<Consumer[]> {
    const rows = await this.db
      .select()
      .from(streamConsumers)
      .where(eq(streamConsumers.streamId, streamId))
      .orderBy(asc(streamConsumers.name));
    return rows.map(toConsumer);
  }

  async delete(streamId: StreamId, name: string): Promise<boolean> {
    const rows = await this.db
      .delete(streamConsumers)
      .where(and(eq(streamConsumers.streamId, streamId), eq(streamConsumers.name, name)))
      .returning({ name: streamConsumers.name });
    return rows.length > 0;
  }

  async ack(streamId: StreamId, name: string, seq: number): Promise<Consumer | null> {
    // Acks only move forward: a late or repeated ack never rewinds the cursor.
    const [row] = await this.db
      .update(streamConsumers)
      .set({ ackedSeq: sql`greatest(${streamConsumers.ackedSeq}, ${seq})`, updatedAt: sql`now()` })
      .where(and(eq(streamConsumers.streamId, streamId), eq(streamConsumers.name, name)))
      .returning();
    return row ? toConsumer(row) : null;
  }
}

function toConsumer(row: Row): Consumer {
  return {
    streamId: row.streamId as StreamId,
    name: row.name,
    ackedSeq: row.ackedSeq,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
