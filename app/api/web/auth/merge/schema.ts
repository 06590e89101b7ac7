/** Request and response of POST /api/web/auth/merge (the shared contract, side by side with route.ts). */
export { mergeRequestSchema, mergeResponseSchema } from "@/lib/shared/contracts/auth";
