import type { Metadata } from "next";
import { Suspense } from "react";
import { ShardsView } from "./shards-view";

export const metadata: Metadata = { title: "Shards" };

export default function ShardsPage() {
  return (
    <Suspense>
      <ShardsView />
    </Suspense>
  );
}
