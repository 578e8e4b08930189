"use client";
// A dense table with clickable, accessible sort headers and an optional selected row.
// Presentational: the page owns the rows, the sort state (usually in the URL) and the selection.
// With `virtualize`, a long list renders only the rows in view (plus a margin) inside its own
// scroll box, so 10,000 rows scroll as smoothly as 50.
import { useVirtualizer } from "@tanstack/react-virtual";
import clsx from "clsx";
import { memo, useCallback, useEffect, useRef, useState, type ReactNode, type RefObject } from "react";

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

/** What every table of the console takes, windowed or not. */
export interface TableProps<Row> {
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
}

export interface SortableTableProps<Row> extends TableProps<Row> {
  /** Fixed layout: columns keep their widths (set with headerClassName, e.g. "w-24") whatever the rows. */
  fixed?: boolean;
  /**
   * For lists that can reach thousands of rows: the table scrolls in its own box (the header
   * stays in view) and, past a few hundred rows, only the rows in view are in the page. Rows
   * must all be one line high (the dense default): one rendered row is measured and sets the height of all.
   */
  virtualize?: boolean;
  /** Height limit (CSS) of a virtualised table's scroll box; by default the window's height less the page's header. */
  maxHeight?: string;
}

const alignClass = { left: "text-left", right: "text-right", center: "text-center" } as const;

/** Below this many rows, rendering them all is cheap and keeps the browser's find (Ctrl-F) working. */
const VIRTUAL_MIN_ROWS = 300;
/** A dense row: py-1 around an 18 px badge, plus its border; a rendered row corrects it. */
const ROW_HEIGHT_ESTIMATE = 27;
/** The sticky header covers the top of the scroll box; a row scrolled to must clear it. */
const HEADER_HEIGHT = 30;

interface RowProps<Row> {
  row: Row;
  index: number;
  rowId: string;
  columns: Column<Row>[];
  /** undefined: the table has no selection at all (no aria-selected). */
  selected: boolean | undefined;
  windowed: boolean;
  scrollBox: boolean;
  fixed: boolean;
  testId: string | undefined;
  className: string | undefined;
  onClick: ((row: Row) => void) | undefined;
  rowRef?: (element: HTMLTableRowElement | null) => void;
}

function TableRowImpl<Row>({ row, index, rowId, columns, selected, windowed, scrollBox, fixed, testId, className, onClick, rowRef }: RowProps<Row>) {
  return (
    <tr
      ref={rowRef}
      data-index={index}
      aria-rowindex={windowed ? index + 2 : undefined}
      aria-selected={selected}
      data-testid={testId}
      data-key={rowId}
      onClick={onClick ? () => onClick(row) : undefined}
      className={clsx(
        "border-b border-zinc-100 last:border-b-0 dark:border-zinc-800/70",
        // In a scroll box, a row scrolled into view lands below the sticky header, not under it.
        scrollBox && "scroll-mt-8",
        rowStateClass(selected, onClick !== undefined),
        className,
      )}
    >
      <RowCells row={row} columns={columns} clip={fixed} verticalAlign="align-top" />
    </tr>
  );
}

/** How a body row shows that it is selected, or that it can be: shared with the virtual table. */
export const rowStateClass = (selected: boolean | undefined, clickable: boolean) =>
  clsx(selected ? "bg-sky-100 outline-1 -outline-offset-1 outline-sky-500 dark:bg-sky-950/60" : "hover:bg-zinc-50 dark:hover:bg-zinc-900/60", clickable && "cursor-pointer");

/** A body row's cells, one line each. */
export function RowCells<Row>({
  row,
  columns,
  clip,
  verticalAlign,
}: {
  row: Row;
  columns: Column<Row>[];
  /** Cut overflowing content with an ellipsis (in a fixed-layout table), unless the column says not to. */
  clip: boolean;
  verticalAlign: "align-top" | "align-middle";
}) {
  return (
    <>
      {columns.map((column) => (
        <td
          key={column.key}
          className={clsx(
            "whitespace-nowrap px-2 py-1",
            verticalAlign,
            clip && column.clip !== false && "overflow-hidden text-ellipsis",
            alignClass[column.align ?? "left"],
            column.align === "right" && "tabular-nums",
            column.cellClassName,
          )}
        >
          {column.cell(row)}
        </td>
      ))}
    </>
  );
}

/** A row re-renders only when its data, selection or look changes: scrolling a long list renders just the rows coming into view. */
const TableRow = memo(TableRowImpl) as typeof TableRowImpl;

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
  virtualize = false,
  maxHeight = "calc(100dvh - 11rem)",
}: SortableTableProps<Row>) {
  const scrollRef = useRef<HTMLDivElement | null>(null);
  const windowed = virtualize && rows.length > VIRTUAL_MIN_ROWS;

  // A stable click handler, so that a page passing a new arrow function each render does not re-render every row.
  const latestClick = useRef(onRowClick);
  useEffect(() => {
    latestClick.current = onRowClick;
  });
  const handleClick = useCallback((row: Row) => latestClick.current?.(row), []);
  const clickable = onRowClick !== undefined;

  const renderRow = (row: Row, index: number, rowRef?: (element: HTMLTableRowElement | null) => void) => {
    const id = rowKey(row);
    return (
      <TableRow
        key={id}
        row={row}
        index={index}
        rowId={id}
        columns={columns}
        selected={selectedKey !== undefined ? id === selectedKey : undefined}
        windowed={windowed}
        scrollBox={virtualize}
        fixed={fixed}
        testId={rowTestId}
        className={rowClassName?.(row)}
        onClick={clickable ? handleClick : undefined}
        rowRef={rowRef}
      />
    );
  };

  return (
    <div
      ref={scrollRef}
      className={clsx("rounded border border-zinc-200 dark:border-zinc-800", virtualize ? "overflow-auto overscroll-contain" : "overflow-x-auto")}
      style={virtualize ? { maxHeight } : undefined}
      data-testid={testId ? `${testId}-scroll` : undefined}
    >
      <table
        className={clsx("w-full border-collapse text-xs", fixed && "table-fixed")}
        data-testid={testId}
        data-row-count={rows.length}
        aria-rowcount={windowed ? rows.length + 1 : undefined}
      >
        <caption className="sr-only">{caption}</caption>
        <SortableHead columns={columns} sort={sort} onSortChange={onSortChange} rowIndex={windowed ? 1 : undefined} />
        <tbody>
          {rows.length === 0 ? (
            <EmptyRow colSpan={columns.length}>{empty}</EmptyRow>
          ) : windowed ? (
            <WindowedRows rows={rows} rowKey={rowKey} selectedKey={selectedKey} scrollRef={scrollRef} colSpan={columns.length} renderRow={renderRow} />
          ) : (
            <AllRows rows={rows} selectedKey={selectedKey} scrollRef={scrollRef} renderRow={renderRow} />
          )}
        </tbody>
      </table>
    </div>
  );
}

/** The header row: a sort button per sortable column, aria-sort telling which one sorts. Shared with the virtual table. */
export function SortableHead<Row>({
  columns,
  sort,
  onSortChange,
  rowIndex,
}: {
  columns: Column<Row>[];
  sort?: SortState;
  onSortChange?: (sort: SortState) => void;
  /** aria-rowindex of the header, for a table that renders only some of its rows. */
  rowIndex?: number;
}) {
  return (
    <thead className="sticky top-0 z-10 bg-zinc-50 text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
      <tr aria-rowindex={rowIndex}>
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
  );
}

/** The one row of a table without rows, saying why. */
export function EmptyRow({ colSpan, children }: { colSpan: number; children?: ReactNode }) {
  return (
    <tr>
      <td colSpan={colSpan} className="px-2 py-6 text-center text-zinc-500">
        {children ?? "Nothing to show."}
      </td>
    </tr>
  );
}

interface RowsProps<Row> {
  rows: Row[];
  selectedKey?: string | null;
  scrollRef: RefObject<HTMLDivElement | null>;
  renderRow: (row: Row, index: number, rowRef?: (element: HTMLTableRowElement | null) => void) => ReactNode;
}

function AllRows<Row>({ rows, selectedKey, scrollRef, renderRow }: RowsProps<Row>) {
  useEffect(() => {
    scrollRef.current?.querySelector('tbody > tr[aria-selected="true"]')?.scrollIntoView({ block: "nearest" });
  }, [selectedKey, scrollRef]);
  return rows.map((row, index) => renderRow(row, index));
}

/**
 * Only the rows in (and near) view, between two spacer rows that keep the scroll height true.
 * Every row has the same height (one rendered row is measured), so positions are plain
 * arithmetic: nothing is measured per row, and nothing is recomputed per row on a scroll.
 */
function WindowedRows<Row>({ rows, rowKey, selectedKey, scrollRef, colSpan, renderRow }: RowsProps<Row> & { rowKey: (row: Row) => string; colSpan: number }) {
  // Measured once, from a rendered row; until then, the estimate.
  const [measuredHeight, setMeasuredHeight] = useState<number | null>(null);
  const rowHeight = measuredHeight ?? ROW_HEIGHT_ESTIMATE;
  // The React Compiler is not enabled in this app, so the virtualizer's unmemoizable API is fine here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 10,
    // Offsets count from the first row, not the header above it: an end-aligned row must clear the header too.
    scrollPaddingEnd: HEADER_HEIGHT,
    // Scrolling re-renders in React's own time rather than synchronously on every scroll event.
    useFlushSync: false,
  });
  useEffect(() => {
    virtualizer.measure();
  }, [rowHeight, virtualizer]);
  // The second row rendered, not the first: in a collapsed-border table the first shares its top border with the header.
  const measureRow = useCallback((element: HTMLTableRowElement | null) => {
    const height = element?.getBoundingClientRect().height;
    if (height) setMeasuredHeight(height);
  }, []);

  // The selected row stays in view as j/k move it, even when it is not rendered yet. Only a new
  // selection scrolls: a refresh that reorders the rows must not move the view under the reader.
  const latest = useRef({ rows, rowKey });
  useEffect(() => {
    latest.current = { rows, rowKey };
  });
  useEffect(() => {
    if (!selectedKey) return;
    const index = latest.current.rows.findIndex((row) => latest.current.rowKey(row) === selectedKey);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: "auto" });
  }, [selectedKey, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  return (
    <>
      {padTop > 0 && (
        <tr aria-hidden style={{ height: padTop }}>
          <td colSpan={colSpan} className="p-0" />
        </tr>
      )}
      {items.map((item, i) => {
        const row = rows[item.index];
        return row === undefined ? null : renderRow(row, item.index, i === 1 && measuredHeight === null ? measureRow : undefined);
      })}
      {padBottom > 0 && (
        <tr aria-hidden style={{ height: padBottom }}>
          <td colSpan={colSpan} className="p-0" />
        </tr>
      )}
    </>
  );
}
