import type { z } from "zod";
import type { ErrorCode } from "../../../shared/errors";

/**
 * Reads a route handler's JSON body under a byte cap and validates it: 415 for another
 * content type, 413 past the cap (the stream is cancelled, not drained), 400 when not JSON,
 * not matching the schema, or cut off (the client aborted or reset it: the read fails, and
 * that failure is an answer here, never a thrown error). Messages never echo the body.
 */
export type JsonBodyResult<T> =
  | { ok: true; data: T }
  | { ok: false; code: ErrorCode; message: string; fields?: Record<string, string> };

/** The schema's own message for each invalid top-level field (the first one each). */
function toFieldMessages(issues: readonly z.core.$ZodIssue[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path[0];
    if (typeof key === "string" && !(key in fields)) fields[key] = issue.message;
  }
  return fields;
}

function isJsonContentType(value: string | null): boolean {
  return value?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** The body as UTF-8 text; "too_large" past `maxBytes`; "cut_off" when the stream failed. */
async function readText(
  request: Request,
  maxBytes: number,
): Promise<string | "too_large" | "cut_off"> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBytes) return "too_large";
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return "too_large";
      }
      chunks.push(value);
    }
  } catch {
    reader.releaseLock();
    return "cut_off";
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function readRouteJson<T>(
  request: Request,
  schema: z.ZodType<T>,
  maxBytes: number,
): Promise<JsonBodyResult<T>> {
  if (!isJsonContentType(request.headers.get("content-type"))) {
    return {
      ok: false,
      code: "unsupported_media_type:body",
      message: "Send the body as application/json.",
    };
  }
  const text = await readText(request, maxBytes);
  if (text === "too_large") {
    return {
      ok: false,
      code: "payload_too_large:body",
      message: `The body is over ${maxBytes} bytes.`,
    };
  }
  if (text === "cut_off") {
    return { ok: false, code: "bad_request:body", message: "The body was cut off." };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: "bad_request:body", message: "The body is not valid JSON." };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      code: "bad_request:body",
      message: "The body does not match the contract.",
      fields: toFieldMessages(parsed.error.issues),
    };
  }
  return { ok: true, data: parsed.data };
}
