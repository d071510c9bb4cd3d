import { type NextRequest, NextResponse } from "next/server";
import { readToken } from "@/features/auth/session";
import { apiUrl } from "@/lib/admin-api";
import { OperatorApi } from "@/lib/operator-api";

export const dynamic = "force-dynamic";

/** A stream's head and its consumers' lag now, for the lag-over-time chart. */
export async function GET(request: NextRequest) {
  const token = await readToken();
  if (!token) return NextResponse.json({ error: "signed out" }, { status: 401 });
  const q = request.nextUrl.searchParams;
  const [tenant, name] = [q.get("tenant") ?? "", q.get("name") ?? ""];
  if (!tenant || !name) {
    return NextResponse.json({ error: "tenant and name are required" }, { status: 400 });
  }
  try {
    const s = await new OperatorApi({ baseUrl: apiUrl(), token }).stream(tenant, name);
    return NextResponse.json({
      t: Date.now(),
      head: s.last_seq,
      consumers: s.consumers.map((c) => ({
        name: c.name,
        lag: c.lag ?? Math.max(0, s.last_seq - c.acked_seq),
      })),
    });
  } catch (err) {
    return NextResponse.json({ error: (err as Error).message }, { status: 502 });
  }
}
