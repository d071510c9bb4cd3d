import { Module } from "@nestjs/common";
import { RUNTIME, type Runtime } from "../../config/runtime.js";
import { WsModule } from "../../ws/ws.module.js";
import { DocsModule } from "../docs.module.js";
import { DEFAULT_DOCS_SYNC_LIMITS, DOCS_SYNC_LIMITS, DocsSyncServer } from "./docs-sync.server.js";
import { STRATA_STORAGE_ID, strataStorageId } from "./strata-storage-id.js";

/** The automerge-repo sync endpoint (`/v1/docs/sync`) on top of the documents capability. */
@Module({
  imports: [DocsModule, WsModule],
  providers: [
    { provide: DOCS_SYNC_LIMITS, useValue: DEFAULT_DOCS_SYNC_LIMITS },
    {
      provide: STRATA_STORAGE_ID,
      useFactory: (rt: Runtime) => strataStorageId(rt.adminToken),
      inject: [RUNTIME],
    },
    DocsSyncServer,
  ],
  exports: [DocsSyncServer, STRATA_STORAGE_ID],
})
export class DocsSyncModule {}
