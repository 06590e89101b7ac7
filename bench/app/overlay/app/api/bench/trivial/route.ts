export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Bench copy only (B4's baseline arm): a POST that reads its body and answers a constant. */
const ANSWER = {
  userId: "usr_bench000000000000000000",
  kind: "guest",
  socketToken: "x".repeat(300),
  expiresAt: "2030-01-01T00:00:00.000Z",
};

export async function POST(request: Request): Promise<Response> {
  await request.text();
  return Response.json(ANSWER, { headers: { "cache-control": "no-store" } });
}
