import { Body, Controller, HttpCode, Inject, Post, Req, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  accessTokenExpiresAt,
  accessTokenPayload,
  type Clock,
  encodeAccessToken,
  Forbidden,
  parseApiKey,
  type TokenRequestBody,
  tokenRequestBody,
} from "@strata/core";
import { type FastifyRequest } from "fastify";
import { CLOCK } from "../database/database.module.js";
import { bearerToken } from "./bearer.js";
import { CredentialResolver, type ResolvedCredential } from "./credentials.js";
import { CurrentCredential, TenantKeyGuard } from "./tenant-key.guard.js";

@ApiTags("tenant")
@ApiBearerAuth("tenant-key")
@Controller("v1/tokens")
@UseGuards(TenantKeyGuard)
export class TokensController {
  constructor(
    private readonly credentials: CredentialResolver,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      "Mint a short-lived token (default 300 s, at most 3600 s) for ?token= on WebSocket/SSE; scopes may only narrow the key's",
  })
  create(
    @CurrentCredential() credential: ResolvedCredential,
    @Req() request: FastifyRequest,
    @Body({ schema: tokenRequestBody.optional() }) body: TokenRequestBody | undefined,
  ) {
    // A token minting tokens would outlive its own expiry.
    const key = credential.kind === "key" ? parseApiKey(bearerToken(request) ?? "") : null;
    if (!key) throw new Forbidden("Tokens are minted with an API key, not with another token.");
    const payload = accessTokenPayload(
      credential.principal,
      key.prefix,
      body ?? {},
      this.clock.now(),
    );
    return {
      token: encodeAccessToken(payload, this.credentials.signer),
      token_type: "Bearer",
      expires_at: accessTokenExpiresAt(payload).toISOString(),
      scopes: payload.scopes,
    };
  }
}
