import { type NextRequest, NextResponse } from "next/server";
import { readToken } from "@/features/auth/session";
import { apiUrl } from "@/lib/admin-api";
import { OperatorApi } from "@/lib/operator-api";

export const dynamic = "force-dynamic";

/**
 * Passes a bucket's live watch (Server-Sent Events) from the API through to
 * the browser, adding the operator token on the server side. Closing the page
 * aborts the upstream request.
 */
export async function GET(request: NextRequest) {
  const token = await readToken();
  if (!token) return NextResponse.json({ error: "signed out" }, { status: 401 });
  const q = request.nextUrl.searchParams;
  const tenant = q.get("tenant") ?? "";
  const bucket = q.get("bucket") ?? "";
  if (!tenant || !bucket) {
    return NextResponse.json({ error: "tenant and bucket are required" }, { status: 400 });
  }
  const api = new OperatorApi({ baseUrl: apiUrl(), token });
  const path = `/v1/admin/kv/${encodeURIComponent(tenant)}/${encodeURIComponent(bucket)}/events`;
  let upstream: Response;
  try {
    upstream = await api.open(path, { prefix: q.get("prefix") ?? undefined }, request.signal);
  } catch {
    return NextResponse.json({ error: "API unreachable" }, { status: 502 });
  }
  if (!upstream.ok || !upstream.body) {
    return new NextResponse(await upstream.text(), {
      status: upstream.status,
      headers: { "content-type": upstream.headers.get("content-type") ?? "text/plain" },
    });
  }
  return new NextResponse(upstream.body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
