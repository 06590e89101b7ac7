/** Request and response of POST /api/web/auth/sign-up (the shared contract, side by side with route.ts). */
export { authResponseSchema, signUpRequestSchema } from "@/lib/shared/contracts/auth";
