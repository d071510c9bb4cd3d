import { createHmac, timingSafeEqual } from "node:crypto";
import { type AccessTokenSigner } from "@strata/core";

/** Fixed context: a key derived for tokens is useless for anything else the operator token keys. */
const CONTEXT = "strata/access-token/v1";

/**
 * HMAC-SHA256 over token bodies with a key derived from the operator token,
 * which every node of a cluster shares: a token minted on one node verifies
 * on all. Rotating the operator token ends every outstanding token.
 */
export class HmacTokenSigner implements AccessTokenSigner {
  private readonly key: Buffer;

  constructor(operatorToken: string) {
    this.key = createHmac("sha256", operatorToken).update(CONTEXT).digest();
  }

  sign(data: string): string {
    return createHmac("sha256", this.key).update(data).digest("base64url");
  }

  verify(data: string, signature: string): boolean {
    const want = Buffer.from(this.sign(data));
    const got = Buffer.from(signature);
    return got.length === want.length && timingSafeEqual(got, want);
  }
}
