import { z } from "zod";
import { pgText } from "../common/storable-text.js";
import { resourceNameSchema } from "../common/names.js";
import { SCOPES } from "./scopes.js";
import { TENANT_STATUSES } from "./tenant.js";

export const tenantNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, {
  message:
    "must be 1–100 characters of letters, digits, '.', '_' or '-', starting with a letter or digit",
});

/** A name pattern on a key: dot-separated tokens, `*` for one token, `>` last for the rest. */
export const namePatternSchema = z
  .string()
  .max(255)
  .regex(/^([A-Za-z0-9_-]+|\*)(\.([A-Za-z0-9_-]+|\*))*(\.>)?$|^>$/, {
    message: "must be dot-separated tokens of [A-Za-z0-9_-] or '*', optionally ending in '.>'",
  });

export const createTenantBody = z.strictObject({ name: tenantNameSchema });
export type CreateTenantBody = z.infer<typeof createTenantBody>;

export const patchTenantBody = z
  .strictObject({ name: tenantNameSchema.optional(), status: z.enum(TENANT_STATUSES).optional() })
  .refine((b) => b.name !== undefined || b.status !== undefined, {
    message: "give at least one of 'name' or 'status'",
  });
export type PatchTenantBody = z.infer<typeof patchTenantBody>;

export const createKeyBody = z.strictObject({
  name: pgText(z.string().min(1).max(100)),
  scopes: z.array(z.enum(SCOPES)).min(1, { message: "give at least one scope" }),
  patterns: z.array(namePatternSchema).max(50).optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
});
export type CreateKeyBody = z.infer<typeof createKeyBody>;

export const tenantIdParam = z.uuid({ message: "must be a tenant id (UUID)" });
export const keyIdParam = z.uuid({ message: "must be a key id (UUID)" });

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: pgText(z.string().max(255)).optional(),
});
export type PageQuery = z.infer<typeof pageQuery>;

/** "May this key do `scope` on `name`?" — answered without touching the resource. */
export const accessQuery = z.strictObject({
  scope: z.enum(SCOPES),
  name: resourceNameSchema.optional(),
});
export type AccessQuery = z.infer<typeof accessQuery>;
