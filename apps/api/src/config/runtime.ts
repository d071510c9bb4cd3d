import { type Pool } from "@strata/db";
import { type NodeIdentity } from "../cluster/node-identity.js";
import { type AppConfig } from "./env.js";

/** This process as the cluster sees it. */
export interface NodeInfo {
  readonly identity: NodeIdentity;
  readonly version: string;
  readonly startedAt: Date;
  readonly roles: readonly string[];
}

/** Everything the Nest app is built from, resolved before it starts. */
export interface Runtime {
  readonly config: AppConfig;
  readonly pool: Pool;
  /** The operator token in force (from STRATA_ADMIN_TOKEN or the data dir). */
  readonly adminToken: string;
  readonly node: NodeInfo;
}

export const RUNTIME = Symbol("Runtime");
export const DATABASE = Symbol("Database");
export const PG_POOL = Symbol("PgPool");
