"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc";

/**
 * Keeps every alert query fresh (the alerts page, the navigation's count, the resource pages'
 * panels): the server pushes an event when an alert fires, resolves or changes, or a silence
 * does, and the alert queries refetch. A burst of events (a webhook of 100 alerts) costs at
 * most one refetch in flight and one after it: a refetch started for every event would cancel
 * the one before, and nothing would arrive until the burst ended. After the stream reconnects,
 * everything refetches once, for the events sent while it was down.
 */
/** Runs `work` for a call, and once more after it for any calls made while it ran. */
export function coalesced(work: () => Promise<unknown>): () => void {
  let running = false;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void (async () => {
      do {
        again = false;
        // A failed refetch is retried by the next event or the pages' own polling.
        await work().catch(() => undefined);
      } while (again);
      running = false;
    })();
  };
}

export function useLiveAlertUpdates(): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [refresh] = useState(() => coalesced(() => queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() })));

  const [everConnected, setEverConnected] = useState(false);
  useSubscription(
    trpc.alerts.onChange.subscriptionOptions(undefined, {
      onStarted: () => {
        if (everConnected) refresh();
        setEverConnected(true);
      },
      onData: refresh,
    }),
  );
}
