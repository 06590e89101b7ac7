import { z } from "zod";
import { ID_PATTERN } from "@/lib/shared/ids";

/**
 * Body of POST /api/web/handoff-report: which verified handoff failed, and how. `userId`,
 * when sent, names whom the report is about, and must be the reporter's own identity (the
 * one the request's cookies resolve to); without it the report is about that identity.
 */
export const handoffReportSchema = z
  .object({
    step: z.enum(["guest_created", "sign_in", "sign_up", "sign_out", "guest_revoked"]),
    outcome: z.enum(["mismatch", "error"]),
    userId: z.string().regex(ID_PATTERN).optional(),
  })
  .strict();

export type HandoffReport = z.infer<typeof handoffReportSchema>;
