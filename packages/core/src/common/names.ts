import { z } from "zod";

/** Names of streams, buckets and the like: unique per tenant, safe in URLs and patterns. */
export const resourceNameSchema = z
  .string()
  .min(1, { message: "must not be empty" })
  .max(255, { message: "must be at most 255 characters" })
  .regex(/^[A-Za-z0-9._-]+$/, { message: "may contain only letters, digits, '.', '_' and '-'" });
