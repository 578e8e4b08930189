import type { Metadata } from "next";
import { Suspense } from "react";
import { RegionsView } from "./regions-view";

export const metadata: Metadata = { title: "Regions" };

export default function RegionsPage() {
  return (
    <Suspense>
      <RegionsView />
    </Suspense>
  );
}
