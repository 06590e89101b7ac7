export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Bench copy only (B5's baseline arm): GET /api/web/me's answer without any session check. */
export async function GET(): Promise<Response> {
  return Response.json(
    { userId: "usr_bench000000000000000000", kind: "guest" },
    { headers: { "cache-control": "no-store" } },
  );
}
