import { type Brand } from "../common/brand.js";

export type TenantId = Brand<string, "TenantId">;
export type KeyId = Brand<string, "KeyId">;

export const TENANT_STATUSES = ["active", "suspended"] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export interface Tenant {
  readonly id: TenantId;
  readonly name: string;
  readonly status: TenantStatus;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
