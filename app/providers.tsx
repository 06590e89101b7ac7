"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { type ReactNode, useLayoutEffect } from "react";
import { getQueryClient } from "@/lib/client/cache/query-client";
import { markClientMoment } from "@/lib/client/realtime/diagnostics";

// Nothing toasts before the page is interactive, so the toast region loads after hydration
// and stays out of the first load.
const Toaster = dynamic(() => import("@/components/ui/sonner").then((m) => m.Toaster), {
  ssr: false,
});

/** Client-side providers for the whole app, and the one toast region (`toast()` from "sonner"). */
export function Providers({ children }: { children: ReactNode }) {
  // Layout effects run once the hydrated tree is committed, before any passive effect.
  useLayoutEffect(() => markClientMoment("hydrated"), []);
  return (
    <QueryClientProvider client={getQueryClient()}>
      {children}
      <Toaster />
    </QueryClientProvider>
  );
}
