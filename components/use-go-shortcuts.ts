"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";

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
    let armedUntil = 0;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      // The time of the key press, not of its handling: a busy page that handles `g` and the
      // letter late still sees them as typed, a few milliseconds apart.
      if (event.key === "g") {
        armedUntil = event.timeStamp + 1000;
        return;
      }
      if (event.timeStamp > armedUntil) return;
      armedUntil = 0;
      const target = targets.find((t) => t.key === event.key);
      if (target) {
        event.preventDefault();
        router.push(target.href);
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [router, targets]);
}
