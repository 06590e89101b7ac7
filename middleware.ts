import { type NextRequest, NextResponse } from "next/server";
import { parsePublicOrigins } from "./lib/server/common/same-origin";
import { resolveMiddlewareRequestHeaders } from "./lib/server/web/identity/middleware-core";
import {
  createNonce,
  isHttpsSite,
  NONCE_HEADER,
  toSecurityHeaders,
  toSocketOrigins,
} from "./lib/server/web/security-headers";

/**
 * Strip client-made identity headers, resolve identity from cookies, forward it signed; give
 * the request a fresh CSP nonce and the response its security headers (security-headers.ts).
 */
export async function middleware(request: NextRequest): Promise<NextResponse> {
  const headers = await resolveMiddlewareRequestHeaders(request);
  const publicOrigins = parsePublicOrigins(process.env.FOYER_PUBLIC_ORIGIN);
  const https = isHttpsSite(publicOrigins);
  const nonce = createNonce();
  const security = toSecurityHeaders({
    nonce,
    https,
    socketOrigins: toSocketOrigins(publicOrigins, request.headers.get("host"), https),
    development: process.env.NODE_ENV === "development",
  });
  // Next.js takes the nonce for its own scripts from the request's policy; the pages' inline
  // scripts take it from NONCE_HEADER. Both are set here, over anything the client sent.
  headers.set("content-security-policy", security["Content-Security-Policy"] ?? "");
  headers.set(NONCE_HEADER, nonce);
  const response = NextResponse.next({ request: { headers } });
  for (const [name, value] of Object.entries(security)) response.headers.set(name, value);
  return response;
}

export const config = {
  runtime: "nodejs",
  // Every page and API route; not static assets, image optimisation, the favicon or Socket.IO.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|socket.io).*)"],
};
