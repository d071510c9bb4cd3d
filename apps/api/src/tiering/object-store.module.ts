import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from "@nestjs/common";
import { docResource, type ObjectStore } from "@strata/core";
import { AlertStorePg, TieredSnapshots } from "@strata/db";
import { RUNTIME, type Runtime } from "../config/runtime.js";
import { LocalObjectStore } from "./local-object-store.js";
import { S3ObjectStore } from "./s3-object-store.js";
import { type ObjectStoreConfig } from "./tiering.env.js";

export const OBJECT_STORE = Symbol("ObjectStore");

export function objectStoreFor(c: ObjectStoreConfig): ObjectStore {
  return c.driver === "local"
    ? new LocalObjectStore(c.dir)
    : new S3ObjectStore({
        bucket: c.bucket,
        endpoint: c.endpoint,
        region: c.region,
        credentials: c.credentials,
        forcePathStyle: c.forcePathStyle,
        prefix: c.prefix,
      });
}

@Injectable()
class ObjectStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(OBJECT_STORE) private readonly store: ObjectStore) {}

  onApplicationShutdown(): void {
    if (this.store instanceof S3ObjectStore) this.store.close();
  }
}

/**
 * The object store, and the tiered-snapshot reader documents load through.
 * A module of its own (no imports) so both DocsModule and TieringModule can
 * use it: TieringModule imports KvModule, which imports DocsModule.
 */
@Global()
@Module({
  providers: [
    {
      provide: OBJECT_STORE,
      useFactory: (rt: Runtime) => objectStoreFor(rt.config.tiering.objects),
      inject: [RUNTIME],
    },
    {
      provide: TieredSnapshots,
      useFactory: (store: ObjectStore, alerts: AlertStorePg) =>
        new TieredSnapshots(store, (r) =>
          alerts.raise({
            kind: "tier_corrupt",
            resource: docResource(r),
            tenantId: r.tenantId,
            message: `A tiered document snapshot could not be read back: ${r.reason}`,
            details: { object_key: r.objectKey, reason: r.reason },
          }),
        ),
      inject: [OBJECT_STORE, AlertStorePg],
    },
    ObjectStoreLifecycle,
  ],
  exports: [OBJECT_STORE, TieredSnapshots],
})
export class ObjectStoreModule {}
