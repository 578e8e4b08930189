"use client";
// Who is signed in and what they may do. The server enforces every permission; the UI
// only uses this to hide what the server would refuse.
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "./trpc";

export function useMe() {
  const trpc = useTRPC();
  const query = useQuery(trpc.me.get.queryOptions(undefined, { staleTime: 60_000 }));
  const permissions = query.data?.permissions ?? [];
  return {
    me: query.data ?? null,
    loading: query.isPending,
    can: (permission: string) => permissions.includes(permission as never),
  };
}
