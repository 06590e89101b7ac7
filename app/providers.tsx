"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useLayoutEffect } from "react";
import { getQueryClient } from "@/lib/client/cache/query-client";
import { markClientMoment } from "@/lib/client/realtime/diagnostics";

/** Client-side providers for the whole app. */
export function Providers({ children }: { children: ReactNode }) {
  // Layout effects run once the hydrated tree is committed, before any passive effect.
  useLayoutEffect(() => markClientMoment("hydrated"), []);
  return <QueryClientProvider client={getQueryClient()}>{children}</QueryClientProvider>;
}
