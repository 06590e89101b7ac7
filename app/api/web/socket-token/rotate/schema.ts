/** Request and response of POST /api/web/socket-token/rotate (the shared contract, side by side with route.ts). */
export {
  rotateTokenRequestSchema,
  rotateTokenResponseSchema,
} from "@/lib/shared/contracts/sessions";
