import { Global, Module } from "@nestjs/common";
import { type Clock, KeyAuthenticator, TenantAdmin, TenantQuotaGuard } from "@strata/core";
import { type Database, TenantRepositoryPg } from "@strata/db";
import { DATABASE, RUNTIME, type Runtime } from "../config/runtime.js";
import { CLOCK } from "../database/database.module.js";
import { AccessWatch } from "./access-watch.js";
import { CredentialResolver } from "./credentials.js";
import { NodeKeyMinter } from "./node-key-minter.js";
import { TenantKeyGuard } from "./tenant-key.guard.js";
import { createQuotaGuard } from "./tenant-quotas.js";
import { HmacTokenSigner } from "./token-signer.js";
import { TokensController } from "./tokens.controller.js";
import { WhoamiController } from "./whoami.controller.js";

/** Tenants, keys, short-lived tokens, the guard every tenant route uses, and the watch that ends revoked connections. */
@Global()
@Module({
  controllers: [WhoamiController, TokensController],
  providers: [
    NodeKeyMinter,
    {
      provide: TenantRepositoryPg,
      useFactory: (db: Database) => new TenantRepositoryPg(db),
      inject: [DATABASE],
    },
    {
      provide: TenantAdmin,
      useFactory: (store: TenantRepositoryPg, minter: NodeKeyMinter, clock: Clock) =>
        new TenantAdmin(store, minter, clock),
      inject: [TenantRepositoryPg, NodeKeyMinter, CLOCK],
    },
    {
      provide: KeyAuthenticator,
      useFactory: (store: TenantRepositoryPg, minter: NodeKeyMinter, clock: Clock, rt: Runtime) =>
        new KeyAuthenticator(store, minter, clock, {
          cacheMs: rt.config.keyCacheMs,
          cacheSize: 10_000,
        }),
      inject: [TenantRepositoryPg, NodeKeyMinter, CLOCK, RUNTIME],
    },
    {
      provide: HmacTokenSigner,
      useFactory: (rt: Runtime) => new HmacTokenSigner(rt.adminToken),
      inject: [RUNTIME],
    },
    {
      provide: TenantQuotaGuard,
      useFactory: (store: TenantRepositoryPg, clock: Clock, rt: Runtime) =>
        createQuotaGuard(store, clock, rt.config.keyCacheMs),
      inject: [TenantRepositoryPg, CLOCK, RUNTIME],
    },
    CredentialResolver,
    TenantKeyGuard,
    AccessWatch,
  ],
  exports: [
    TenantRepositoryPg,
    TenantAdmin,
    KeyAuthenticator,
    CredentialResolver,
    TenantKeyGuard,
    TenantQuotaGuard,
    AccessWatch,
  ],
})
export class TenantsModule {}
