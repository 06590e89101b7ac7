export const dynamic = "force-dynamic";

/** Liveness for load balancers and the test harness. */
export function GET(): Response {
  return Response.json({ ok: true }, { headers: { "Cache-Control": "no-store" } });
}
