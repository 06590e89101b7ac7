/**
 * Error codes are `type:surface`. Each code maps to exactly one HTTP status, here and
 * nowhere else.
 */
export const ERROR_STATUS = {
  "bad_request:body": 400,
  "bad_request:legacy_token": 400,
  "unauthorized:session": 401,
  "unauthorized:credentials": 401,
  "unauthorized:internal": 401,
  "forbidden:origin": 403,
  "forbidden:identity": 403,
  "revoked:guest_session": 403,
  "not_found:route": 404,
  "not_found:session": 404,
  "method_not_allowed:route": 405,
  "conflict:account": 409,
  "conflict:merge": 409,
  "conflict:rotation": 409,
  "payload_too_large:body": 413,
  "unsupported_media_type:body": 415,
  "rate_limited:guest_creation": 429,
  "rate_limited:sign_in": 429,
  "rate_limited:handoff_report": 429,
  "internal:server": 500,
  "bad_gateway:authority": 502,
  "unavailable:authority": 503,
  "timeout:authority": 504,
  "unavailable:merge": 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ApiErrorBody {
  /** `fields`: a message per invalid form field, when the body failed validation. */
  error: {
    code: ErrorCode;
    message: string;
    fields?: Record<string, string>;
    /** Why a session ended (`merged`, `signed_out`, …), on `revoked:*` answers. */
    reason?: string;
  };
}

export function toHttpStatus(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

export function toErrorBody(
  code: ErrorCode,
  message: string,
  fields?: Record<string, string>,
): ApiErrorBody {
  return { error: fields ? { code, message, fields } : { code, message } };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_STATUS, value);
}
