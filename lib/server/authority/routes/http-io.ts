import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { type ErrorCode, toErrorBody, toHttpStatus } from "../../../shared/errors";

/** Largest request body the authority reads. */
export const MAX_BODY_IN_BYTES = 16 * 1024;

export type Headers = Record<string, string | string[]>;

/** Every response, success or error: never cached, never sniffed. */
const COMMON_HEADERS: Headers = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Headers = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...COMMON_HEADERS,
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
  });
  res.end(payload);
}

export function sendNoContent(res: ServerResponse, headers: Headers = {}): void {
  res.writeHead(204, { ...COMMON_HEADERS, ...headers });
  res.end();
}

export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  headers: Headers = {},
): void {
  sendJson(res, toHttpStatus(code), toErrorBody(code, message), headers);
}

export type BodyResult<T> = { ok: true; data: T } | { ok: false; code: ErrorCode; message: string };

function isJsonContentType(header: string | undefined): boolean {
  const mediaType = header?.split(";")[0]?.trim().toLowerCase();
  return mediaType === "application/json";
}

/** Whether the request announces a body at all (a length above 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** The body as text, or null past the limit (the rest is left unread; the 413 closes the connection). */
function readRaw(req: IncomingMessage): Promise<string | null> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_IN_BYTES) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_IN_BYTES) return void chunks.push(chunk);
      req.off("data", onData).off("end", onEnd).resume();
      resolve(null);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString("utf8"));
    req.on("data", onData).on("end", onEnd).once("error", reject);
  });
}

/**
 * Reads a JSON body of at most {@link MAX_BODY_IN_BYTES} and validates it with `schema`:
 * 415 for another content type, 413 when too large, 400 when not JSON or not valid.
 */
export async function readJsonBody<T>(
  req: IncomingMessage,
  schema: z.ZodType<T>,
): Promise<BodyResult<T>> {
  if (!isJsonContentType(req.headers["content-type"])) {
    return {
      ok: false,
      code: "unsupported_media_type:body",
      message: "authority: send application/json",
    };
  }
  const raw = await readRaw(req);
  if (raw === null) {
    return {
      ok: false,
      code: "payload_too_large:body",
      message: `authority: body over ${MAX_BODY_IN_BYTES} bytes`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, code: "bad_request:body", message: "authority: body is not valid JSON" };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      code: "bad_request:body",
      message: "authority: body does not match the contract",
    };
  }
  return { ok: true, data: parsed.data };
}

/** Sends the error of a failed {@link readJsonBody}; a 413 also closes the connection (the rest is unread). */
export function sendBodyError(
  res: ServerResponse,
  result: { code: ErrorCode; message: string },
): void {
  const headers: Headers = result.code === "payload_too_large:body" ? { connection: "close" } : {};
  sendError(res, result.code, result.message, headers);
}

/** A single request header as a string (first value), or undefined. */
export function getHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** A response decided by a pure mapping, sent by {@link sendReply}. */
export interface HttpReply {
  status: number;
  /** Omitted for 204. */
  body?: unknown;
  headers: Headers;
}

export function sendReply(res: ServerResponse, reply: HttpReply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status, { ...COMMON_HEADERS, ...reply.headers });
    res.end();
    return;
  }
  sendJson(res, reply.status, reply.body, reply.headers);
}
