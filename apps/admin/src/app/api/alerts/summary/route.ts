import { NextResponse } from "next/server";
import { readToken } from "@/features/auth/session";
import { apiUrl } from "@/lib/admin-api";
import { OperatorApi } from "@/lib/operator-api";

export const dynamic = "force-dynamic";

/** Open alerts for the header badge (polled by the browser; the token stays on the server). */
export async function GET() {
  const token = await readToken();
  if (!token) return NextResponse.json({ error: "signed out" }, { status: 401 });
  try {
    const { items } = await new OperatorApi({ baseUrl: apiUrl(), token }).alerts({
      open: true,
      limit: 1000,
    });
    return NextResponse.json({
      open: items.length,
      unacknowledged: items.filter((a) => !a.acknowledged_at).length,
      split_brain: items.filter((a) => a.kind === "split_brain").length,
    });
  } catch {
    return NextResponse.json({ error: "API unreachable" }, { status: 502 });
  }
}
