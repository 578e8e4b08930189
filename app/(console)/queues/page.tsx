import type { Metadata } from "next";
import { Suspense } from "react";
import { QueuesView } from "./queues-view";

export const metadata: Metadata = { title: "Queues" };

export default function QueuesPage() {
  return (
    <Suspense>
      <QueuesView />
    </Suspense>
  );
}
