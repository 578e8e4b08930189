"use client";
// The selected row of a list page whose rows each have a page of their own: a click or j/k
// (lib/use-list-keys) selects a row, Enter opens its page. The selection is the page's own
// state, not the URL's: it is where the reader is, not what the view shows.
import { useRouter } from "next/navigation";
import { useMemo, useState, type RefObject } from "react";
import { useListKeys } from "@/lib/use-list-keys";

export function useRowSelection<Row>({
  rows,
  rowKey,
  hrefOf,
  filterRef,
}: {
  /** In the order shown: j/k follow it. */
  rows: readonly Row[];
  /** Best defined outside the component, so that the keys are not worked out again on every render. */
  rowKey: (row: Row) => string;
  hrefOf: (row: Row) => string;
  /** The list's filter box, which "/" focuses. */
  filterRef?: RefObject<HTMLInputElement | null>;
}) {
  const router = useRouter();
  const [selected, setSelected] = useState<string | null>(null);
  const keys = useMemo(() => rows.map(rowKey), [rows, rowKey]);
  useListKeys({
    keys,
    selected,
    onSelect: setSelected,
    onOpen: (key) => {
      const row = rows.find((candidate) => rowKey(candidate) === key);
      if (row) router.push(hrefOf(row));
    },
    filterRef,
  });
  // Named as the table's props, so that a page can spread them into SortableTable or VirtualTable.
  return { selectedKey: selected, onRowClick: (row: Row) => setSelected(rowKey(row)) };
}
