"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { goSequence } from "@/lib/go-sequence";

/** Elements where a key press is typing, not a command. */
function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

/**
 * Two-key navigation, `g` then a letter (g s: services, g a: alerts …), so single
 * letters stay free for the tables' own keys.
 */
export function useGoShortcuts(targets: readonly { key: string; href: string }[]) {
  const router = useRouter();
  useEffect(() => {
    const next = goSequence(targets);
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const href = next({ key: event.key, type: event.type === "keyup" ? "up" : "down", pressedAt: event.timeStamp, handledAt: performance.now() });
      if (href) {
        event.preventDefault();
        router.push(href);
      }
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("keyup", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("keyup", onKey);
    };
  }, [router, targets]);
}
