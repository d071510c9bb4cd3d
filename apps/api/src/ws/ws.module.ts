import { Module } from "@nestjs/common";
import { KvModule } from "../kv/kv.module.js";
import { UpgradeRouter } from "./upgrade-router.js";
import { DEFAULT_WS_LIMITS, WS_LIMITS } from "./ws-limits.js";
import { WsServer } from "./ws-server.js";

/**
 * WebSocket endpoints on the API's port. Other endpoints (e.g. the
 * automerge-repo sync socket) register their path with UpgradeRouter.
 */
@Module({
  imports: [KvModule],
  providers: [{ provide: WS_LIMITS, useValue: DEFAULT_WS_LIMITS }, UpgradeRouter, WsServer],
  exports: [UpgradeRouter, WsServer],
})
export class WsModule {}
