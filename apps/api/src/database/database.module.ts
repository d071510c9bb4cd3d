import { type DynamicModule, Global, Module } from "@nestjs/common";
import { createDatabase } from "@strata/db";
import { systemClock } from "@strata/core";
import { DATABASE, PG_POOL, RUNTIME, type Runtime } from "../config/runtime.js";

export const CLOCK = Symbol("Clock");

/** Process-wide resources every capability module may inject. */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(runtime: Runtime): DynamicModule {
    return {
      module: RuntimeModule,
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: PG_POOL, useValue: runtime.pool },
        { provide: DATABASE, useValue: createDatabase(runtime.pool) },
        { provide: CLOCK, useValue: systemClock },
      ],
      exports: [RUNTIME, PG_POOL, DATABASE, CLOCK],
    };
  }
}
