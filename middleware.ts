import { type NextRequest, NextResponse } from "next/server";
import { resolveMiddlewareRequestHeaders } from "./lib/server/web/identity/middleware-core";

/** Strip client-made identity headers, resolve identity from cookies, forward it signed. */
export async function middleware(request: NextRequest): Promise<NextResponse> {
  const headers = await resolveMiddlewareRequestHeaders(request);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  runtime: "nodejs",
  // Every page and API route; not static assets, image optimisation, the favicon or Socket.IO.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|socket.io).*)"],
};
