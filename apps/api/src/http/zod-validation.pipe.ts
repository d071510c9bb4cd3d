import { type ArgumentMetadata, Injectable, type PipeTransform } from "@nestjs/common";
import { parseInput, UnsupportedMediaType } from "@strata/core";
import { type z } from "zod";

/**
 * Validates route arguments that declare a zod schema
 * (`@Body({ schema })`, `@Query({ schema })`, `@Param("id", { schema })`)
 * and names the offending field: `name` for the body, `query.limit`, `path.id`.
 */
@Injectable()
export class ZodValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const schema = metadata.schema as z.ZodType | undefined;
    if (!schema) return value;
    if (metadata.type === "body" && Buffer.isBuffer(value)) {
      throw new UnsupportedMediaType(
        "This endpoint takes a JSON body (Content-Type: application/json).",
      );
    }
    const where =
      metadata.type === "query"
        ? ["query", metadata.data].filter(Boolean).join(".")
        : metadata.type === "param"
          ? ["path", metadata.data].filter(Boolean).join(".")
          : "";
    return parseInput(schema, value ?? (metadata.type === "body" ? undefined : {}), where);
  }
}
