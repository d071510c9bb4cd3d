import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { type KeyMinter } from "@strata/core";

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** Key secrets from the OS CSPRNG; SHA-256 is enough for 256-bit random secrets. */
export class NodeKeyMinter implements KeyMinter {
  mint(): { prefix: string; secret: string } {
    let prefix = "";
    for (let i = 0; i < 12; i++) prefix += BASE32[randomInt(32)];
    return { prefix, secret: randomBytes(32).toString("base64url") };
  }

  hash(secret: string): string {
    return createHash("sha256").update(secret).digest("hex");
  }

  verify(secret: string, secretHash: string): boolean {
    const a = Buffer.from(this.hash(secret), "hex");
    const b = Buffer.from(secretHash, "hex");
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
