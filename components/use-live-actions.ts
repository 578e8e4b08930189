"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc";

export type LiveStatus = "connecting" | "connected" | "reconnecting";

/**
 * Keeps every action, service and audit query fresh: when any request the user can see
 * changes state (new, approved, executed…), the server pushes an event and the affected
 * queries refetch. After the event stream reconnects, everything refetches once, since
 * events sent while it was down are lost. Pages also poll slowly, as a fallback.
 */
export function useLiveActionUpdates(): LiveStatus {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.actions.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() });
    // The list only: verifying the chain recomputes every hash, so it keeps its own slower pace.
    void queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() });
  };
  // Events sent while the stream was down are lost: after a reconnect, refetch everything once.
  const [everConnected, setEverConnected] = useState(false);
  const subscription = useSubscription(
    trpc.actions.onChange.subscriptionOptions(undefined, {
      onStarted: () => {
        if (everConnected) refresh();
        setEverConnected(true);
      },
      onData: refresh,
    }),
  );
  const connected = subscription.status === "pending";

  if (connected) return "connected";
  return everConnected || subscription.status === "error" ? "reconnecting" : "connecting";
}
