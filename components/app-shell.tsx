"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import type { ReactNode } from "react";
import { useTRPC } from "@/lib/trpc";
import { useLiveAlertUpdates } from "./alert-live";
import { CommandPalette } from "./command-palette";
import { useGoShortcuts } from "./use-go-shortcuts";
import { useLiveActionUpdates } from "./use-live-actions";
import { ThemeToggle } from "./theme-toggle";

/** The main pages, with their `g` shortcut (g o: overview, g s: services …); the palette lists them too. */
const NAV = [
  { href: "/", label: "Overview", key: "o" },
  { href: "/alerts", label: "Alerts", key: "a" },
  { href: "/services", label: "Services", key: "s" },
  { href: "/queues", label: "Queues", key: "q" },
  { href: "/caches", label: "Caches", key: "c" },
  { href: "/shards", label: "Shards", key: "h" },
  { href: "/regions", label: "Regions", key: "r" },
  { href: "/actions", label: "Actions", key: "x" },
  { href: "/audit", label: "Audit", key: "u" },
] as const;

const isActive = (pathname: string, href: string) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`));

export function AppShell({ user, demo, children }: { user: { email: string; roles: string[] }; demo: boolean; children: ReactNode }) {
  const pathname = usePathname();
  const trpc = useTRPC();
  const live = useLiveActionUpdates();
  useGoShortcuts(NAV);
  const awaiting = useQuery(trpc.actions.list.queryOptions({ view: "awaitingMe", limit: 50 }, { refetchInterval: 30_000 }));
  const awaitingCount = awaiting.data?.items.length ?? 0;
  useLiveAlertUpdates();
  const alertCounts = useQuery(trpc.alerts.counts.queryOptions(undefined, { refetchInterval: 60_000 }));
  const firingCount = alertCounts.data?.firing ?? 0;
  const criticalFiring = (alertCounts.data?.bySeverity.critical ?? 0) > 0;

  return (
    <div className="flex min-h-screen flex-col">
      {demo && (
        <div role="status" className="bg-amber-400 px-4 py-0.5 text-center text-xs font-semibold text-amber-950">
          DEMO — simulated fleet, embedded database, demo accounts. Not connected to a real platform.
        </div>
      )}
      <header className="flex h-11 items-center gap-3 border-b border-zinc-200 px-4 dark:border-zinc-800">
        <Link href="/" className="shrink-0 font-semibold tracking-tight" aria-label="Scaleplane: fleet overview">
          Scaleplane
        </Link>
        <nav className="flex min-w-0 gap-1 overflow-x-auto" aria-label="Main">
          {NAV.map((item) => {
            const active = isActive(pathname, item.href);
            return (
              <Link
                key={item.href}
                href={item.href}
                aria-current={active ? "page" : undefined}
                aria-keyshortcuts={`g ${item.key}`}
                title={`g then ${item.key}`}
                className={`whitespace-nowrap rounded px-2 py-1 ${active ? "bg-zinc-200 font-medium dark:bg-zinc-800" : "text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-900"}`}
              >
                {item.label}
                {item.href === "/alerts" && firingCount > 0 && (
                  <span
                    data-testid="firing-count"
                    title={`${firingCount} alert${firingCount === 1 ? "" : "s"} firing${criticalFiring ? ", some critical" : ""}`}
                    className={`ml-1.5 rounded-full px-1.5 text-xs font-semibold ${criticalFiring ? "bg-red-600 text-white" : "bg-amber-400 text-amber-950"}`}
                  >
                    {firingCount}
                  </span>
                )}
                {item.href === "/actions" && awaitingCount > 0 && (
                  <span data-testid="awaiting-count" className="ml-1.5 rounded-full bg-sky-600 px-1.5 text-xs font-semibold text-white">
                    {awaitingCount}
                  </span>
                )}
              </Link>
            );
          })}
        </nav>
        <CommandPalette pages={NAV} />
        <div className="ml-auto flex shrink-0 items-center gap-3 text-xs text-zinc-500">
          <span
            data-testid="live-status"
            data-status={live}
            title={live === "connected" ? "Live updates on: new and changed requests appear by themselves" : "Live updates reconnecting; pages refresh every few seconds meanwhile"}
            className="inline-flex items-center gap-1"
          >
            <span className={`inline-block h-1.5 w-1.5 rounded-full ${live === "connected" ? "bg-emerald-500" : "animate-pulse bg-amber-500"}`} aria-hidden />
            {live === "connected" ? "live" : live}
          </span>
          <span title={`${user.email}, roles: ${user.roles.join(", ")}`} className="hidden 2xl:inline">
            {user.email} · {user.roles.join(", ")}
          </span>
          <ThemeToggle />
          <button type="button" onClick={() => signOut({ callbackUrl: "/login" })} className="whitespace-nowrap rounded border border-zinc-300 px-2 py-0.5 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-900">
            Sign out
          </button>
        </div>
      </header>
      <main className="flex-1 p-4">{children}</main>
    </div>
  );
}
