/** Request and response of POST /api/web/sessions/revoke (the shared contract, side by side with route.ts). */
export {
  revocationResponseSchema,
  revokeSessionRequestSchema,
} from "@/lib/shared/contracts/sessions";
