import {
  Body,
  Get,
  Controller,
  type CanActivate,
  type ExecutionContext,
  HttpCode,
  Inject,
  Injectable,
  Post,
  Res,
  UseGuards,
} from "@nestjs/common";
import { ApiExcludeController } from "@nestjs/swagger";
import {
  type AppendOptions,
  type NewMessage,
  StreamOwner,
  StreamsService,
  type StreamRef,
  Unauthenticated,
} from "@strata/core";
import { type FastifyReply, type FastifyRequest } from "fastify";
import { RUNTIME, type Runtime } from "../config/runtime.js";
import { ClusterMembership } from "./cluster-membership.js";
import { CLUSTER_SECRET, CLUSTER_SECRET_HEADER, sameSecret } from "./cluster-secret.js";
import { answerNode, wire } from "./internal-wire.js";

/** Admits only other nodes of this cluster. */
@Injectable()
export class ClusterGuard implements CanActivate {
  constructor(@Inject(CLUSTER_SECRET) private readonly secret: string) {}

  canActivate(context: ExecutionContext): boolean {
    const given = context.switchToHttp().getRequest<FastifyRequest>().headers[
      CLUSTER_SECRET_HEADER
    ];
    if (!sameSecret(typeof given === "string" ? given : undefined, this.secret)) {
      throw new Unauthenticated("Internal endpoints are for cluster nodes only.");
    }
    return true;
  }
}

/**
 * Owner operations forwarded by other nodes. They run on this node's
 * StreamOwner directly (never re-forwarded): if another live node owns the
 * stream, the claim fails with `not_owner` and the sender looks again.
 */
@ApiExcludeController()
@Controller("internal/streams")
@UseGuards(ClusterGuard)
export class InternalStreamsController {
  constructor(private readonly owner: StreamOwner) {}

  @Post("append")
  @HttpCode(200)
  append(@Body() body: Buffer, @Res({ passthrough: true }) reply: FastifyReply) {
    return answerNode(reply, () => {
      const r = wire.unpack(body) as {
        ref: StreamRef;
        messages: NewMessage[];
        opts: AppendOptions;
      };
      return this.owner.append(r.ref, r.messages, r.opts);
    });
  }

  @Post("delete-one")
  @HttpCode(200)
  deleteOne(@Body() body: Buffer, @Res({ passthrough: true }) reply: FastifyReply) {
    return answerNode(reply, () => {
      const r = wire.unpack(body) as { ref: StreamRef; seq: number };
      return this.owner.deleteOne(r.ref, r.seq);
    });
  }

  @Post("delete-up-to")
  @HttpCode(200)
  deleteUpTo(@Body() body: Buffer, @Res({ passthrough: true }) reply: FastifyReply) {
    return answerNode(reply, () => {
      const r = wire.unpack(body) as { ref: StreamRef; upToSeq: number | null };
      return r.upToSeq === null ? this.owner.purge(r.ref) : this.owner.deleteUpTo(r.ref, r.upToSeq);
    });
  }

  /** A read of the owner's memory: never claims or loads the stream. */
  @Post("counters")
  @HttpCode(200)
  counters(@Body() body: Buffer, @Res({ passthrough: true }) reply: FastifyReply) {
    return answerNode(reply, async () => {
      const r = wire.unpack(body) as { ref: StreamRef };
      return this.owner.peek(r.ref.id) ?? null;
    });
  }
}

/** Node-level requests from other nodes (an operator's drain, sent to the node it names). */
@ApiExcludeController()
@Controller("internal/node")
@UseGuards(ClusterGuard)
export class InternalNodeController {
  constructor(
    private readonly membership: ClusterMembership,
    private readonly streams: StreamsService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  /** This node's live subscriptions (WebSocket, SSE) and their positions, for lag figures. */
  @Get("subscriptions")
  subscriptions() {
    return {
      node_id: this.runtime.node.identity.id,
      items: this.streams
        .subscriptions()
        .map((s) => ({ stream_id: s.streamId, next_seq: s.nextSeq, state: s.state })),
    };
  }

  @Post("drain")
  @HttpCode(202)
  drain() {
    void this.membership.drain();
    return { draining: true };
  }
}
