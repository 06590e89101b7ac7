/** Request and response of POST /api/web/guest-session/end (the shared contract, side by side with route.ts). */
export {
  endGuestSessionRequestSchema,
  revocationResponseSchema,
} from "@/lib/shared/contracts/sessions";
