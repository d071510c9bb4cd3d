import { NextResponse } from "next/server";
import { readToken } from "@/features/auth/session";
import { apiUrl } from "@/lib/admin-api";
import { OperatorApi } from "@/lib/operator-api";

export const dynamic = "force-dynamic";

/** The cluster's per-second throughput, for the live charts. */
export async function GET() {
  const token = await readToken();
  if (!token) return NextResponse.json({ error: "signed out" }, { status: 401 });
  try {
    return NextResponse.json(
      await new OperatorApi({ baseUrl: apiUrl(), token }).throughput({ limit: 120 }),
    );
  } catch (err) {
    return NextResponse.json({ error: (err as Error).message }, { status: 502 });
  }
}
