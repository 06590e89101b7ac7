"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { foyerKeys } from "@/lib/client/cache/queries";
import { emitOrThrow, type FoyerSocket } from "@/lib/client/realtime/socket";
import { DEFAULT_PREFERENCES, type Preferences, THEME_STORAGE_KEY } from "@/lib/shared/preferences";

/**
 * The user's preferences, kept on the server (so a guest's come along on sign-in), applied
 * to the page (`<html data-theme>`), and in step across the user's tabs through
 * `preferences:updated` pushes.
 */
export function usePreferences(socket: FoyerSocket | null, userId: string, connected: boolean) {
  const queryClient = useQueryClient();
  const key = foyerKeys.preferences(userId);
  const query = useQuery({
    queryKey: key,
    queryFn: async () => {
      if (!socket) throw new Error("preferences: no socket");
      return (await emitOrThrow(socket, "preferences:get", {})).preferences;
    },
    enabled: connected && socket !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });

  useEffect(() => {
    if (!socket) return;
    const onUpdated = (preferences: Preferences) =>
      queryClient.setQueryData(foyerKeys.preferences(userId), preferences);
    socket.on("preferences:updated", onUpdated);
    return () => void socket.off("preferences:updated", onUpdated);
  }, [socket, userId, queryClient]);

  const preferences = query.data;
  useEffect(() => {
    if (!preferences) return;
    document.documentElement.dataset.theme = preferences.theme;
    try {
      localStorage.setItem(THEME_STORAGE_KEY, preferences.theme);
    } catch {
      // Storage disabled: the theme still applies once the preference has loaded.
    }
  }, [preferences]);

  const update = useMutation({
    mutationFn: async (patch: Partial<Preferences>) => {
      if (!socket) throw new Error("preferences: no socket");
      return (await emitOrThrow(socket, "preferences:update", patch)).preferences;
    },
    onMutate: (patch) => {
      const previous = queryClient.getQueryData<Preferences>(key);
      queryClient.setQueryData<Preferences>(key, {
        ...(previous ?? DEFAULT_PREFERENCES),
        ...patch,
      });
      return { previous };
    },
    onError: (_error, _patch, context) => queryClient.setQueryData(key, context?.previous),
    onSuccess: (stored) => queryClient.setQueryData(key, stored),
  });

  return {
    preferences: preferences ?? DEFAULT_PREFERENCES,
    update: update.mutate,
    ready: query.isSuccess,
  };
}
