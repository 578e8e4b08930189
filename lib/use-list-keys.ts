"use client";
// Keyboard driving for a list page: j/k or ↓/↑ move the selection, Enter opens it,
// "/" jumps to the filter and Escape leaves it. Keys typed into a field stay in the field.
import { useEffect, useRef, type RefObject } from "react";

const isTypingTarget = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

export function useListKeys<Key extends string>({
  keys,
  selected,
  onSelect,
  onOpen,
  filterRef,
}: {
  keys: readonly Key[];
  selected: Key | null;
  onSelect: (key: Key) => void;
  onOpen: (key: Key) => void;
  filterRef?: RefObject<HTMLInputElement | null>;
}) {
  // The handler is attached once; it reads the latest values through a ref.
  const latest = useRef({ keys, selected, onSelect, onOpen, filterRef });
  useEffect(() => {
    latest.current = { keys, selected, onSelect, onOpen, filterRef };
  });

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      const { keys, selected, onSelect, onOpen, filterRef } = latest.current;
      const filter = filterRef?.current ?? null;
      if (isTypingTarget(event.target)) {
        // From the filter, Escape or ↓ hands the keyboard back to the list.
        if (event.target === filter && (event.key === "Escape" || event.key === "ArrowDown")) {
          event.preventDefault();
          filter?.blur();
          if (event.key === "ArrowDown" && keys[0] !== undefined) onSelect(selected && keys.includes(selected) ? selected : keys[0]);
        }
        return;
      }
      if (event.key === "/" && filter) {
        event.preventDefault();
        filter.focus();
        filter.select();
        return;
      }
      const index = selected ? keys.indexOf(selected) : -1;
      const move = (to: number) => {
        const key = keys[Math.max(0, Math.min(keys.length - 1, to))];
        if (key !== undefined) onSelect(key);
      };
      switch (event.key) {
        case "j":
        case "ArrowDown":
          event.preventDefault();
          move(index + 1);
          break;
        case "k":
        case "ArrowUp":
          event.preventDefault();
          move(index < 0 ? 0 : index - 1);
          break;
        case "Enter": {
          // Enter on a focused link or button does what that control does.
          const active = document.activeElement;
          if (active && active !== document.body && active.tagName !== "TR") return;
          if (selected && keys.includes(selected)) {
            event.preventDefault();
            onOpen(selected);
          }
          break;
        }
      }
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
}
