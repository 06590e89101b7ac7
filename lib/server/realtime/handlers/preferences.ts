import { z } from "zod";
import { preferencesPatchSchema } from "../../../shared/preferences";
import { getPreferences, updatePreferences } from "../../store/users";
import { defineHandler, ok } from "../handler-kit";
import { userRoom } from "../rooms";

/** `preferences:get {}` → the user's preferences (defaults for anything never set). */
export const preferencesGet = defineHandler({
  event: "preferences:get",
  eventClass: "cheap",
  schema: z.object({}).nullish(),
  async handle(ctx, socket) {
    return ok({ preferences: await getPreferences(ctx.db, socket.data.userId) });
  },
});

/**
 * `preferences:update {theme?}` → the stored result, also pushed as `preferences:updated`
 * to every socket of the user.
 */
export const preferencesUpdate = defineHandler({
  event: "preferences:update",
  eventClass: "cheap",
  schema: preferencesPatchSchema,
  async handle(ctx, socket, patch) {
    const { userId } = socket.data;
    const preferences = await updatePreferences(ctx.db, userId, patch);
    ctx.io.to(userRoom(userId)).emit("preferences:updated", preferences);
    return ok({ preferences });
  },
});
