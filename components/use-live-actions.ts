"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "@/lib/trpc";

/**
 * Keeps every action and service query fresh: when any request the user can see changes
 * state (new, approved, executed…), the server pushes an event and the affected queries refetch.
 */
export function useLiveActionUpdates() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useSubscription(
    trpc.actions.onChange.subscriptionOptions(undefined, {
      onData: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.actions.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() });
      },
    }),
  );
}
