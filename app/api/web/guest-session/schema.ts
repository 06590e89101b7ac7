/** Request body of POST /api/web/guest-session (the shared contract, side by side with route.ts). */
export {
  type GuestSessionRequest,
  type GuestSessionResponse,
  guestSessionRequestSchema,
  guestSessionResponseSchema,
} from "@/lib/shared/contracts/guest-session";
