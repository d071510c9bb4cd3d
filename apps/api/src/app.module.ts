import { type DynamicModule, Module } from "@nestjs/common";
import { AdminModule } from "./admin/admin.module.js";
import { type Runtime } from "./config/runtime.js";
import { RuntimeModule } from "./database/database.module.js";
import { HealthModule } from "./health/health.module.js";
import { ClusterModule } from "./cluster/cluster.module.js";
import { DocsModule } from "./docs/docs.module.js";
import { DocsSyncModule } from "./docs/sync/docs-sync.module.js";
import { JobsModule } from "./jobs/jobs.module.js";
import { KvModule } from "./kv/kv.module.js";
import { StreamsModule } from "./streams/streams.module.js";
import { TenantsModule } from "./tenants/tenants.module.js";
import { TieringModule } from "./tiering/tiering.module.js";
import { WsModule } from "./ws/ws.module.js";

@Module({})
export class AppModule {
  static forRoot(runtime: Runtime): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RuntimeModule.forRoot(runtime),
        HealthModule,
        TenantsModule,
        ClusterModule,
        StreamsModule,
        KvModule,
        DocsModule,
        DocsSyncModule,
        JobsModule,
        TieringModule,
        AdminModule,
        WsModule,
      ],
    };
  }
}
