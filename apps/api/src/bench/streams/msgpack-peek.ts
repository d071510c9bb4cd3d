/**
 * Reads just enough of a server frame to count a `msgs` delivery without
 * decoding its messages: the top-level map's `type`, `sub` and the length of
 * the `msgs` array. Fan-out delivers millions of messages per second to a
 * client on the same cores, so the load generator must not decode them all.
 * Returns undefined for anything else (the caller then decodes in full).
 */
export interface MsgsPeek {
  readonly sub: number | string;
  readonly count: number;
}

class Reader {
  o = 0;
  constructor(readonly b: Buffer) {}

  /** Header of a map/array: its length, or -1 when it is not one. */
  container(kind: "map" | "array"): number {
    const t = this.b[this.o++]!;
    const fix = kind === "map" ? 0x80 : 0x90;
    if (t >= fix && t <= fix + 0x0f) return t - fix;
    const [c16, c32] = kind === "map" ? [0xde, 0xdf] : [0xdc, 0xdd];
    if (t === c16) return this.u(2);
    if (t === c32) return this.u(4);
    return -1;
  }

  /** A scalar (string, integer, nil, bool, bin skipped); undefined if it is a container or float. */
  scalar(): string | number | null | undefined {
    const t = this.b[this.o++]!;
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 0x100;
    if (t >= 0xa0 && t <= 0xbf) return this.str(t - 0xa0);
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
      case 0xc3:
        return t === 0xc3 ? 1 : 0;
      case 0xcc:
        return this.u(1);
      case 0xcd:
        return this.u(2);
      case 0xce:
        return this.u(4);
      case 0xcf:
        return Number(this.b.readBigUInt64BE((this.o += 8) - 8));
      case 0xd9:
        return this.str(this.u(1));
      case 0xda:
        return this.str(this.u(2));
      case 0xc4:
        this.o += this.u(1);
        return null;
      default:
        return undefined;
    }
  }

  private u(n: 1 | 2 | 4): number {
    const v = this.b.readUIntBE(this.o, n);
    this.o += n;
    return v;
  }

  private str(n: number): string {
    const s = this.b.toString("utf8", this.o, this.o + n);
    this.o += n;
    return s;
  }
}

export function peekMsgs(b: Buffer): MsgsPeek | undefined {
  try {
    const r = new Reader(b);
    const n = r.container("map");
    let type: unknown;
    let sub: string | number | undefined;
    let count: number | undefined;
    for (let i = 0; i < n; i++) {
      const key = r.scalar();
      if (key === "msgs") {
        count = r.container("array");
        if (count < 0) return undefined;
        // Its elements follow; only safe to stop if we already know type and sub.
        break;
      }
      const v = r.scalar();
      if (v === undefined) return undefined;
      if (key === "type") type = v;
      else if (key === "sub" && v !== null) sub = v;
    }
    if (type !== "msgs" || sub === undefined || count === undefined) return undefined;
    return { sub, count };
  } catch {
    return undefined;
  }
}
