import { Body, Controller, HttpCode, Post, Res, UseGuards } from "@nestjs/common";
import { ApiExcludeController } from "@nestjs/swagger";
import {
  type BucketRef,
  type KvBatchPut,
  type KvCompare,
  KvOwner,
  type KvTxnOp,
} from "@strata/core";
import { type FastifyReply } from "fastify";
import { ClusterGuard } from "./internal.controller.js";
import { type WireOutcome } from "./http-kv-forwarder.js";
import { answerNode, wire } from "./internal-wire.js";
import { wireError } from "../ws/ws-errors.js";

/**
 * KV owner operations forwarded by other nodes. They run on this node's
 * KvOwner directly (never re-forwarded): if another live node owns the
 * bucket, the claim fails with `not_owner` and the sender looks again.
 */
@ApiExcludeController()
@Controller("internal/kv")
@UseGuards(ClusterGuard)
export class InternalKvController {
  constructor(private readonly owner: KvOwner) {}

  @Post("put")
  @HttpCode(200)
  put(@Body() body: Buffer, @Res({ passthrough: true }) reply: FastifyReply) {
    return answerNode(reply, () => {
      const r = wire.unpack(body) as {
        ref: BucketRef;
        key: string;
        value: Uint8Array;
        opts: { ttlSeconds?: number; compare?: KvCompare };
      };
      return this.owner.put(r.ref, r.key, r.value, r.opts);
    });
  }

  @Post("put-batch")
  @HttpCode(200)
  putBatch(@Body() body: Buffer, @Res({ passthrough: true }) reply: FastifyReply) {
    return answerNode(reply, async (): Promise<WireOutcome[]> => {
      const r = wire.unpack(body) as { ref: BucketRef; puts: KvBatchPut[] };
      const outcomes = await this.owner.putBatch(r.ref, r.puts);
      return outcomes.map((o) => ("error" in o ? { error: wireError(o.error) } : o));
    });
  }

  @Post("delete")
  @HttpCode(200)
  delete(@Body() body: Buffer, @Res({ passthrough: true }) reply: FastifyReply) {
    return answerNode(reply, () => {
      const r = wire.unpack(body) as { ref: BucketRef; key: string; compare?: KvCompare };
      return this.owner.delete(r.ref, r.key, r.compare);
    });
  }

  @Post("txn")
  @HttpCode(200)
  txn(@Body() body: Buffer, @Res({ passthrough: true }) reply: FastifyReply) {
    return answerNode(reply, () => {
      const r = wire.unpack(body) as {
        ref: BucketRef;
        compares: KvCompare[];
        ops: KvTxnOp[];
      };
      return this.owner.txn(r.ref, r.compares, r.ops);
    });
  }

  @Post("touch")
  @HttpCode(200)
  touch(@Body() body: Buffer, @Res({ passthrough: true }) reply: FastifyReply) {
    return answerNode(reply, () => {
      const r = wire.unpack(body) as { ref: BucketRef; key: string; ttlSeconds?: number };
      return this.owner.touch(r.ref, r.key, r.ttlSeconds);
    });
  }
}
