"use client";
// False during server rendering and hydration, true afterwards. For content that depends on
// data a sibling may already have fetched before this part of the page hydrates (a shared
// query), which would otherwise differ from the server's HTML.
import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
