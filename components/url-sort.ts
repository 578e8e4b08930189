"use client";
// A table's sort kept in the URL (`sort` and `dir`; `<prefix>sort` and `<prefix>dir` for a
// further table on the same page), so that a sorted view can be linked and reloaded as it is.
import type { SortDir, SortState } from "@/components/sortable-table";
import type { useUrlState } from "@/lib/use-url-state";

type UrlState = Pick<ReturnType<typeof useUrlState>, "get" | "set">;

/** A direction for a key the URL gives without one: the one its header's first click would choose. */
export const firstDirOf =
  (columns: readonly { key: string; firstDir?: SortDir }[]) =>
  (key: string): SortDir =>
    columns.find((column) => column.key === key)?.firstDir ?? "asc";

/** The sort in the URL: a key the table knows, else its first (the default sort); the direction given, else `defaultDir`'s. */
export function readUrlSort<Key extends string>(url: UrlState, keys: readonly Key[], defaultDir: (key: Key) => SortDir, prefix = ""): { key: Key; dir: SortDir } {
  const param = url.get(`${prefix}sort`);
  const key = keys.find((candidate) => candidate === param) ?? keys[0];
  if (key === undefined) throw new Error("a sortable table needs at least one sort key");
  const dir = url.get(`${prefix}dir`);
  return { key, dir: dir === "asc" || dir === "desc" ? dir : defaultDir(key) };
}

/** Writes a header click's sort into the URL. */
export const writeUrlSort = (url: UrlState, prefix = "") => (sort: SortState) => url.set({ [`${prefix}sort`]: sort.key, [`${prefix}dir`]: sort.dir });
