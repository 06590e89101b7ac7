import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";

/** What a rate limit says of one attempt: go, or how long to wait. */
export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Whole seconds to wait, at least 1. */
export function toRetryAfterSeconds(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}

/** Spends `points` under `key` (rate-limiter-flexible); a refusal says when to retry. */
export async function consumeFrom(
  limiter: RateLimiterAbstract,
  key: string,
  points = 1,
): Promise<LimitDecision> {
  try {
    await limiter.consume(key, points);
    return { allowed: true };
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return { allowed: false, retryAfterSeconds: toRetryAfterSeconds(rejection.msBeforeNext) };
  }
}
