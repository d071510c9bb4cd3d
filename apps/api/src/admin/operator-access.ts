import { Injectable } from "@nestjs/common";
import {
  type KeyId,
  NotFound,
  pgText,
  type Principal,
  SCOPES,
  type Tenant,
  TenantAdmin,
  type TenantId,
} from "@strata/core";
import { z } from "zod";

/** A tenant in an operator URL: its id (UUID) or its name. */
export const tenantRefSchema = pgText(z.string().min(1).max(200));

const isUuid = (s: string) => z.uuid().safeParse(s).success;

/**
 * Lets operator endpoints reuse the tenant use cases (StreamsService,
 * KvService) unchanged: the operator acts *as* the tenant, with every scope and
 * no name patterns, so every lookup stays scoped to that one tenant.
 */
@Injectable()
export class OperatorAccess {
  constructor(private readonly tenants: TenantAdmin) {}

  async tenant(ref: string): Promise<Tenant> {
    const found = isUuid(ref)
      ? await this.tenants.getTenant(ref as TenantId).catch((err: unknown) => {
          if (err instanceof NotFound) return null;
          throw err;
        })
      : await this.tenants.findTenantByName(ref);
    if (!found) throw new NotFound("tenant", ref);
    return found;
  }

  async principal(ref: string): Promise<Principal> {
    return operatorPrincipal(await this.tenant(ref));
  }
}

export function operatorPrincipal(tenant: Pick<Tenant, "id" | "name">): Principal {
  return {
    tenant: { id: tenant.id, name: tenant.name },
    keyId: "operator" as KeyId,
    scopes: SCOPES,
    patterns: [],
  };
}
