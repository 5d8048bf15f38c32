"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { ToastProvider } from "@/components/ui/toast";

/**
 * Client-side providers. react-query polls the JSON read endpoints (group states, sync progress). There is no
 * next-auth SessionProvider: pages read the session on the server, and nothing in the browser needs it.
 */
export function Providers({ children }: { children: ReactNode }) {
  // One client per browser tab, created once (a module-level client would be shared across server renders).
  const [client] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, refetchOnWindowFocus: false, retry: 1 } } }),
  );
  return (
    <QueryClientProvider client={client}>
      <ToastProvider>{children}</ToastProvider>
    </QueryClientProvider>
  );
}
