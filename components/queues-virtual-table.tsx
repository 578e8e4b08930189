"use client";
// A dense sortable table that renders only the rows in view, for lists that run to thousands
// (consumer groups of a large cluster, partitions of a wide topic). Same column model, header
// and cells as SortableTable (shared from there); the rows scroll inside a box of bounded
// height with the header kept on top.
// Rows are one line high (cells do not wrap); each rendered row is measured once, so the scroll
// height stays exact whatever the badges in it. Rows are memoised: moving the selection with j/k
// re-renders the two rows concerned, not every row in view.
import { useVirtualizer } from "@tanstack/react-virtual";
import clsx from "clsx";
import { memo, useCallback, useEffect, useRef } from "react";
import { EmptyRow, RowCells, rowStateClass, SortableHead, type Column, type TableProps } from "./sortable-table";

export interface VirtualTableProps<Row> extends TableProps<Row> {
  /** Tailwind max-height of the scroll box; the table is as tall as its rows up to it. */
  maxHeightClass?: string;
  /** Height of one row in pixels before it is measured (text-xs, py-1, a badge). */
  rowHeight?: number;
}

interface RowProps<Row> {
  row: Row;
  index: number;
  rowKey: string;
  columns: Column<Row>[];
  /** undefined when the table has no selection at all (no aria-selected then). */
  selected: boolean | undefined;
  clickable: boolean;
  onClick: (index: number) => void;
  measure: (element: HTMLTableRowElement | null) => void;
  rowTestId?: string;
  extraClass?: string;
}

function VirtualRowBase<Row>({ row, index, rowKey, columns, selected, clickable, onClick, measure, rowTestId, extraClass }: RowProps<Row>) {
  return (
    <tr
      ref={measure}
      data-index={index}
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-testid={rowTestId}
      data-key={rowKey}
      onClick={clickable ? () => onClick(index) : undefined}
      className={clsx("border-b border-zinc-100 dark:border-zinc-800/70", rowStateClass(selected, clickable), extraClass)}
    >
      <RowCells row={row} columns={columns} clip verticalAlign="align-middle" />
    </tr>
  );
}

// memo loses the type parameter; the cast gives it back.
const VirtualRow = memo(VirtualRowBase) as typeof VirtualRowBase;

export function VirtualTable<Row>({
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
  maxHeightClass = "max-h-[calc(100vh-15rem)]",
  rowHeight = 27,
}: VirtualTableProps<Row>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // The virtualizer returns fresh functions each render; that is its design, not a bug here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    // Before the box is measured, render a screenful rather than nothing.
    initialRect: { width: 0, height: 900 },
  });

  // Keyboard selection may land on a row that is not rendered: bring it into view first.
  const selectedIndex = selectedKey ? rows.findIndex((row) => rowKey(row) === selectedKey) : -1;
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: "auto" });
  }, [selectedIndex, virtualizer]);

  // A stable click handler that reads the latest rows: keeps the memoised rows from re-rendering.
  const latest = useRef({ rows, onRowClick });
  useEffect(() => {
    latest.current = { rows, onRowClick };
  });
  const clickRow = useCallback((index: number) => {
    const { rows, onRowClick } = latest.current;
    const row = rows[index];
    if (row !== undefined) onRowClick?.(row);
  }, []);

  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = Math.max(0, virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0));

  return (
    <div ref={scrollRef} className={clsx("overflow-auto rounded border border-zinc-200 dark:border-zinc-800", maxHeightClass)}>
      <table className="w-full table-fixed border-collapse text-xs" data-testid={testId} aria-rowcount={rows.length + 1}>
        <caption className="sr-only">{caption}</caption>
        <SortableHead columns={columns} sort={sort} onSortChange={onSortChange} rowIndex={1} />
        <tbody>
          {rows.length === 0 ? (
            <EmptyRow colSpan={columns.length}>{empty}</EmptyRow>
          ) : (
            <>
              {padTop > 0 && (
                <tr aria-hidden style={{ height: padTop }}>
                  <td colSpan={columns.length} />
                </tr>
              )}
              {items.map((item) => {
                const row = rows[item.index];
                if (row === undefined) return null;
                const key = rowKey(row);
                return (
                  <VirtualRow
                    key={key}
                    row={row}
                    index={item.index}
                    rowKey={key}
                    columns={columns}
                    selected={selectedKey !== undefined ? key === selectedKey : undefined}
                    clickable={onRowClick !== undefined}
                    onClick={clickRow}
                    measure={virtualizer.measureElement}
                    rowTestId={rowTestId}
                    extraClass={rowClassName?.(row)}
                  />
                );
              })}
              {padBottom > 0 && (
                <tr aria-hidden style={{ height: padBottom }}>
                  <td colSpan={columns.length} />
                </tr>
              )}
            </>
          )}
        </tbody>
      </table>
    </div>
  );
}
