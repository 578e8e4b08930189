"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ActionList } from "@/components/action-list";
import { useTRPC } from "@/lib/trpc";
import { useNow } from "@/lib/use-now";

/** The last requests on a resource (a service, or a data system by its `kafka.`/`redis.` scope); live through the action events, polled as a fallback. */
export function RecentActions({ target, noun = "service" }: { target: { environment: string; namespace: string; name: string }; noun?: string }) {
  const trpc = useTRPC();
  const now = useNow(15_000);
  const query = useQuery(trpc.actions.list.queryOptions({ view: "history", target, limit: 8 }, { refetchInterval: 15_000 }));
  if (query.isPending) return <div className="h-16" aria-busy />;
  const items = query.data?.items ?? [];
  if (items.length === 0) return <p className="text-xs text-zinc-500">No actions on this {noun} yet.</p>;
  return (
    <div className="space-y-1">
      <ActionList items={items} now={now} testId="recent-actions" />
      <Link href="/actions?view=history" className="text-xs text-sky-700 hover:underline dark:text-sky-400">
        all actions →
      </Link>
    </div>
  );
}
