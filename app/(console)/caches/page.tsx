import type { Metadata } from "next";
import { Suspense } from "react";
import { CachesView } from "./caches-view";

export const metadata: Metadata = { title: "Caches" };

export default function CachesPage() {
  return (
    <Suspense>
      <CachesView />
    </Suspense>
  );
}
