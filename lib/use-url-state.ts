"use client";
// Page state that belongs in the address bar (filters, sort, tabs, windows), so every view
// can be linked, bookmarked and reloaded as it is.
import { usePathname, useSearchParams } from "next/navigation";
import { useCallback } from "react";

export type QueryUpdate = Record<string, string | null | undefined>;

export function useUrlState() {
  const pathname = usePathname();
  const searchParams = useSearchParams();

  const get = useCallback((key: string): string | null => searchParams.get(key), [searchParams]);

  /**
   * Sets (or, for null/undefined/"", removes) keys; replaces the history entry unless `push`.
   * Through the History API, which Next.js syncs into useSearchParams without asking the
   * server for the page again: typing in a filter costs no request.
   */
  const set = useCallback(
    (update: QueryUpdate, options: { push?: boolean } = {}) => {
      // Read the live URL, not the render's snapshot: two quick updates must not undo each other.
      const next = new URLSearchParams(window.location.search);
      for (const [key, value] of Object.entries(update)) {
        if (value === null || value === undefined || value === "") next.delete(key);
        else next.set(key, value);
      }
      const query = next.toString();
      const href = query ? `${pathname}?${query}` : pathname;
      if (options.push) window.history.pushState(null, "", href);
      else window.history.replaceState(null, "", href);
    },
    [pathname],
  );

  return { get, set, searchParams };
}
