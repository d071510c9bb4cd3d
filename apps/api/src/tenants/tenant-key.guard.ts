import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
} from "@nestjs/common";
import { type Principal } from "@strata/core";
import { type FastifyRequest } from "fastify";
import { bearerToken } from "./bearer.js";
import { CredentialResolver, type ResolvedCredential } from "./credentials.js";

type WithPrincipal = FastifyRequest & { principal?: Principal; credential?: ResolvedCredential };

/**
 * Resolves the tenant credential on the request (an API key or a short-lived
 * token); 401 when it is missing, unknown, revoked or expired.
 */
@Injectable()
export class TenantKeyGuard implements CanActivate {
  constructor(private readonly credentials: CredentialResolver) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WithPrincipal>();
    const resolved = await this.credentials.resolve(requestCredential(request));
    request.principal = resolved.principal;
    request.credential = resolved;
    return true;
  }
}

/**
 * `Authorization: Bearer`, else `?token=` on GET/HEAD (EventSource and
 * long-poll cannot set headers; writes can, and should not put credentials
 * in URLs). The parameter is removed from the query either way, so routes
 * with strict query schemas never see it.
 */
export function requestCredential(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.token;
  if (query && "token" in query) delete query.token;
  const header = bearerToken(request);
  if (header !== undefined) return header;
  const readOnly = request.method === "GET" || request.method === "HEAD";
  return readOnly && typeof fromQuery === "string" && fromQuery !== "" ? fromQuery : undefined;
}

/** The Principal that TenantKeyGuard put on the request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const principal = context.switchToHttp().getRequest<WithPrincipal>().principal;
  if (!principal) throw new Error("CurrentPrincipal used on a route without TenantKeyGuard");
  return principal;
});

/** How the caller authenticated (key or token), as TenantKeyGuard resolved it. */
export const CurrentCredential = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const credential = context.switchToHttp().getRequest<WithPrincipal>().credential;
  if (!credential) throw new Error("CurrentCredential used on a route without TenantKeyGuard");
  return credential;
});
