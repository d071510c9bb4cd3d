import { Inject, Injectable } from "@nestjs/common";
import { pendingMigrations, type Pool } from "@strata/db";
import { PG_POOL } from "../config/runtime.js";

export interface Readiness {
  readonly ready: boolean;
  readonly checks: { database: string; migrations: string };
}

const CHECK_TIMEOUT_MS = 2000;

/** Ready = the database answers and every shipped migration is applied. */
@Injectable()
export class ReadinessProbe {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async check(): Promise<Readiness> {
    try {
      const pending = await withTimeout(pendingMigrations(this.pool), CHECK_TIMEOUT_MS);
      const migrations = pending === 0 ? "ok" : `pending: ${pending}`;
      return { ready: pending === 0, checks: { database: "ok", migrations } };
    } catch (err) {
      return {
        ready: false,
        checks: { database: `error: ${(err as Error).message}`, migrations: "unknown" },
      };
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
