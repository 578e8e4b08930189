"use client";
// A dense table with clickable, accessible sort headers and an optional selected row.
// Presentational: the page owns the rows, the sort state (usually in the URL) and the selection.
import clsx from "clsx";
import { useEffect, useRef, type ReactNode } from "react";

export type SortDir = "asc" | "desc";
export interface SortState {
  key: string;
  dir: SortDir;
}

export interface Column<Row> {
  key: string;
  header: ReactNode;
  /** Spelled-out header for the tooltip and screen readers, e.g. "p95 latency in milliseconds". */
  title?: string;
  align?: "left" | "right" | "center";
  sortable?: boolean;
  /** Direction of the first click on this header; figures usually start with the largest. */
  firstDir?: SortDir;
  headerClassName?: string;
  cellClassName?: string;
  /** In a fixed-layout table, cut overflowing content with an ellipsis (default); false lets it show. */
  clip?: boolean;
  cell: (row: Row) => ReactNode;
}

export interface SortableTableProps<Row> {
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string;
  caption: string;
  sort?: SortState;
  onSortChange?: (sort: SortState) => void;
  selectedKey?: string | null;
  onRowClick?: (row: Row) => void;
  /** Shown in place of the rows when there are none. */
  empty?: ReactNode;
  rowTestId?: string;
  rowClassName?: (row: Row) => string | undefined;
  testId?: string;
  /** Fixed layout: columns keep their widths (set with headerClassName, e.g. "w-24") whatever the rows. */
  fixed?: boolean;
}

const alignClass = { left: "text-left", right: "text-right", center: "text-center" } as const;

export function SortableTable<Row>({
  columns,
  rows,
  rowKey,
  caption,
  sort,
  onSortChange,
  selectedKey,
  onRowClick,
  empty,
  rowTestId,
  rowClassName,
  testId,
  fixed = false,
}: SortableTableProps<Row>) {
  const selectedRef = useRef<HTMLTableRowElement | null>(null);
  useEffect(() => {
    selectedRef.current?.scrollIntoView({ block: "nearest" });
  }, [selectedKey]);

  return (
    <div className="overflow-x-auto rounded border border-zinc-200 dark:border-zinc-800">
      <table className={clsx("w-full border-collapse text-xs", fixed && "table-fixed")} data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead className="sticky top-0 z-10 bg-zinc-50 text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
          <tr>
            {columns.map((column) => {
              const active = sort?.key === column.key;
              const ariaSort = active ? (sort?.dir === "asc" ? "ascending" : "descending") : column.sortable ? "none" : undefined;
              const align = alignClass[column.align ?? "left"];
              return (
                <th key={column.key} scope="col" aria-sort={ariaSort} title={column.title} className={clsx("whitespace-nowrap border-b border-zinc-200 px-2 py-1.5 font-medium dark:border-zinc-800", align, column.headerClassName)}>
                  {column.sortable && onSortChange ? (
                    <button
                      type="button"
                      onClick={() => onSortChange({ key: column.key, dir: active ? (sort?.dir === "asc" ? "desc" : "asc") : (column.firstDir ?? "asc") })}
                      className={clsx("inline-flex items-center gap-0.5 rounded hover:text-zinc-950 dark:hover:text-white", active && "text-zinc-950 dark:text-white", column.align === "right" && "flex-row-reverse")}
                      aria-label={`Sort by ${column.title ?? (typeof column.header === "string" ? column.header : column.key)}`}
                    >
                      <span>{column.header}</span>
                      <span aria-hidden className={clsx("inline-block w-2.5 text-[10px]", !active && "opacity-0")}>
                        {sort?.dir === "asc" ? "▲" : "▼"}
                      </span>
                    </button>
                  ) : (
                    column.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="px-2 py-6 text-center text-zinc-500">
                {empty ?? "Nothing to show."}
              </td>
            </tr>
          ) : (
            rows.map((row) => {
              const key = rowKey(row);
              const selected = key === selectedKey;
              return (
                <tr
                  key={key}
                  ref={selected ? selectedRef : undefined}
                  aria-selected={selectedKey !== undefined ? selected : undefined}
                  data-testid={rowTestId}
                  data-key={key}
                  onClick={onRowClick ? () => onRowClick(row) : undefined}
                  className={clsx(
                    "border-b border-zinc-100 last:border-b-0 dark:border-zinc-800/70",
                    selected ? "bg-sky-100 outline-1 -outline-offset-1 outline-sky-500 dark:bg-sky-950/60" : "hover:bg-zinc-50 dark:hover:bg-zinc-900/60",
                    onRowClick && "cursor-pointer",
                    rowClassName?.(row),
                  )}
                >
                  {columns.map((column) => (
                    <td key={column.key} className={clsx("whitespace-nowrap px-2 py-1 align-top", fixed && column.clip !== false && "overflow-hidden text-ellipsis", alignClass[column.align ?? "left"], column.align === "right" && "tabular-nums", column.cellClassName)}>
                      {column.cell(row)}
                    </td>
                  ))}
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </div>
  );
}
