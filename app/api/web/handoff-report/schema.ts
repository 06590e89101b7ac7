import { z } from "zod";

/** Body of POST /api/web/handoff-report: which verified handoff failed, and how. */
export const handoffReportSchema = z
  .object({
    step: z.enum(["guest_created", "sign_in", "sign_up", "sign_out", "guest_revoked"]),
    outcome: z.enum(["mismatch", "error"]),
  })
  .strict();
