import { type CanActivate, type ExecutionContext, Inject, Injectable } from "@nestjs/common";
import { createHash, timingSafeEqual } from "node:crypto";
import { Unauthenticated } from "@strata/core";
import { type FastifyRequest } from "fastify";
import { RUNTIME, type Runtime } from "../config/runtime.js";
import { bearerToken } from "../tenants/bearer.js";

/** Admits requests bearing the operator token (constant-time comparison). */
@Injectable()
export class OperatorGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(RUNTIME) runtime: Runtime) {
    this.expected = digest(runtime.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const token = bearerToken(context.switchToHttp().getRequest<FastifyRequest>());
    if (!token) {
      throw new Unauthenticated(
        "The operator token is required: send 'Authorization: Bearer <token>'.",
      );
    }
    if (!timingSafeEqual(digest(token), this.expected)) {
      throw new Unauthenticated("The operator token is not valid.");
    }
    return true;
  }
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}
