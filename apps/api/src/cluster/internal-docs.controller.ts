import { Body, Controller, HttpCode, Post, Res, UseGuards } from "@nestjs/common";
import { ApiExcludeController } from "@nestjs/swagger";
import { type DocRef, DocOwner } from "@strata/core";
import { type FastifyReply } from "fastify";
import { ClusterGuard } from "./internal.controller.js";
import { answerNode, wire } from "./internal-wire.js";

/**
 * `applyChanges` forwarded by other nodes. Runs on this node's DocOwner
 * directly (never re-forwarded): if another live node owns the document,
 * the claim fails with `not_owner` and the sender looks again.
 */
@ApiExcludeController()
@Controller("internal/docs")
@UseGuards(ClusterGuard)
export class InternalDocsController {
  constructor(private readonly owner: DocOwner) {}

  @Post("apply")
  @HttpCode(200)
  apply(@Body() body: Buffer, @Res({ passthrough: true }) reply: FastifyReply) {
    return answerNode(reply, () => {
      const r = wire.unpack(body) as { ref: DocRef; changes: Uint8Array[]; create: boolean };
      return this.owner.applyChanges(r.ref, r.changes, { create: r.create });
    });
  }
}
