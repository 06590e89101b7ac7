/** Request and response of POST /api/web/auth/sign-out (the shared contract, side by side with route.ts). */
export { signOutRequestSchema, signOutResponseSchema } from "@/lib/shared/contracts/auth";
