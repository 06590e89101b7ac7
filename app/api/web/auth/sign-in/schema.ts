/** Request and response of POST /api/web/auth/sign-in (the shared contract, side by side with route.ts). */
export { authResponseSchema, signInRequestSchema } from "@/lib/shared/contracts/auth";
