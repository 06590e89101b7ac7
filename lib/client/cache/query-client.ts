/**
 * The TanStack Query client, after TanStack's Next.js examples: one per request on the
 * server, one per tab in the browser.
 */
import { isServer, QueryClient } from "@tanstack/react-query";

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 60_000, refetchOnWindowFocus: false, refetchOnReconnect: false },
      // Socket events are not HTTP: do not pause them on the browser's online/offline guess.
      mutations: { networkMode: "always" },
    },
  });
}

let browserQueryClient: QueryClient | undefined;

export function getQueryClient(): QueryClient {
  if (isServer) return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}
