// What the console's list and detail pages put around their content: the freshness line of
// the page's query, the keys the page answers to, the notice when the query failed, and a
// detail page's breadcrumb, verdict title and reasons. One place, so that every page says
// these things the same way.
import clsx from "clsx";
import Link from "next/link";
import { Fragment, type ReactNode } from "react";
import { VerdictBadge } from "@/components/badges";
import { FreshnessLine, Kbd, Notice, Skeleton } from "@/components/ui";
import type { Verdict } from "@/lib/api-types";
import type { ErrorView } from "@/lib/trpc-errors";

/** The part of a react-query result the freshness line reads. */
interface QueryTiming {
  dataUpdatedAt: number;
  isFetching: boolean;
}

/** When the page's data was read, whether it is being read again, and the error if that failed. */
export function QueryFreshness({ query, error }: { query: QueryTiming; error: ErrorView | null }) {
  return <FreshnessLine updatedAt={query.dataUpdatedAt} fetching={query.isFetching} error={error?.message ?? null} />;
}

/** A page header's meta line: what the page is about (the environment, a summary), then the freshness. */
export function FreshnessMeta({ query, error, children }: { query: QueryTiming; error: ErrorView | null; children?: ReactNode }) {
  return (
    <span className="flex items-center gap-3">
      {children}
      <QueryFreshness query={query} error={error} />
    </span>
  );
}

/**
 * The keys of a list page (lib/use-list-keys), spelled out on wide screens: "/" when the
 * list has a filter box, j/k always, and what Enter does when it does something.
 */
export function ListKeysHint({ filter = false, enter, className }: { filter?: boolean; enter?: ReactNode; className?: string }) {
  return (
    <span className={clsx("hidden text-[11px] text-zinc-500 lg:inline", className)}>
      {filter && (
        <>
          <Kbd>/</Kbd> filter ·{" "}
        </>
      )}
      <Kbd>j</Kbd>/<Kbd>k</Kbd> move
      {enter && (
        <>
          {" "}
          · <Kbd>Enter</Kbd> {enter}
        </>
      )}
    </span>
  );
}

/**
 * Said only while there is nothing to show: once data has arrived, a failed refresh is the
 * freshness line's to report, and the page keeps showing the last good data.
 */
export function LoadFailureNotice({
  error,
  data,
  what,
  notFound,
  className = "mb-2",
}: {
  error: ErrorView | null;
  data: unknown;
  /** What could not be loaded: "the caches". */
  what: string;
  /** The text for a NOT_FOUND answer, from the server's message; by default the general one. */
  notFound?: (message: string) => string;
  className?: string;
}) {
  if (!error || data) return null;
  return (
    <div className={className}>
      <Notice tone="error">{error.code === "NOT_FOUND" && notFound ? notFound(error.message) : `Could not load ${what}: ${error.message}`}</Notice>
    </div>
  );
}

export interface Crumb {
  label: ReactNode;
  /** Absent for a step that has no page of its own (a namespace, "groups"). */
  href?: string;
}

/** Where a detail page sits: the steps above it, its own name, and the region it is narrowed to. */
export function Breadcrumb({ trail, current, region }: { trail: Crumb[]; current: ReactNode; region?: string | null }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-1 text-xs text-zinc-500">
      {trail.map((crumb, index) => (
        <Fragment key={index}>
          {crumb.href ? (
            <Link href={crumb.href} className="hover:underline">
              {crumb.label}
            </Link>
          ) : (
            crumb.label
          )}
          {" "}
          {"/ "}
        </Fragment>
      ))}
      <span className="text-zinc-700 dark:text-zinc-300">{current}</span>
      {region && <span> · {region}</span>}
    </nav>
  );
}

/**
 * A detail page's title: the verdict badge, then the name. Until the verdict is known, a box
 * of the badge's size keeps the name from moving when it arrives; none after a failure.
 */
export function VerdictTitle({
  verdict,
  reasons,
  placeholder,
  children,
}: {
  verdict: Verdict | null;
  reasons: string[];
  /** "none" once the page has failed; the cache and shard pages pulse while they load, the others do not. */
  placeholder: "pulse" | "still" | "none";
  children: ReactNode;
}) {
  return (
    <span className="flex items-center gap-2">
      {verdict ? (
        <VerdictBadge verdict={verdict} reasons={reasons} />
      ) : placeholder === "pulse" ? (
        <Skeleton className="h-[18px] w-[4.5rem]" />
      ) : placeholder === "still" ? (
        <span className="inline-block h-[18px] w-[4.5rem] rounded bg-zinc-100 dark:bg-zinc-800" />
      ) : null}
      {children}
    </span>
  );
}

/** The reasons of an entity's verdict in each region, each said with its region, for one list over them all. */
export const reasonsByRegion = (rows: readonly { region: string; health: { reasons: string[] } }[]) => rows.flatMap((row) => row.health.reasons.map((reason) => `${row.region}: ${reason}`));

/** A verdict's reasons as a visible list, not only a tooltip. */
export function ReasonList({ reasons, label, className, testId }: { reasons: ReactNode[]; label: string; className?: string; testId?: string }) {
  if (reasons.length === 0) return null;
  return (
    <ul className={clsx("flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-zinc-700 dark:text-zinc-300", className)} aria-label={label} data-testid={testId}>
      {reasons.map((reason, index) => (
        <li key={index} className="before:mr-1 before:text-zinc-400 before:content-['•']">
          {reason}
        </li>
      ))}
    </ul>
  );
}

/** The region in the URL is not one the entity runs in: say where it does run. */
export function RegionNotRunNotice({ name, region, regions }: { name: string; region: string; regions: string[] }) {
  return (
    <div className="mb-3">
      <Notice tone="warn" testId="region-not-found">
        {name} does not run in {region}. It runs in {regions.join(", ") || "no region"}.
      </Notice>
    </div>
  );
}
