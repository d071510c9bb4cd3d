import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
} from "@nestjs/common";
import { KeyAuthenticator, type Principal } from "@strata/core";
import { type FastifyRequest } from "fastify";
import { bearerToken } from "./bearer.js";

type WithPrincipal = FastifyRequest & { principal?: Principal };

/** Resolves the tenant key on the request; 401 when it is missing, unknown, revoked or expired. */
@Injectable()
export class TenantKeyGuard implements CanActivate {
  constructor(private readonly authenticator: KeyAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WithPrincipal>();
    request.principal = await this.authenticator.authenticate(bearerToken(request));
    return true;
  }
}

/** The Principal that TenantKeyGuard put on the request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const principal = context.switchToHttp().getRequest<WithPrincipal>().principal;
  if (!principal) throw new Error("CurrentPrincipal used on a route without TenantKeyGuard");
  return principal;
});
