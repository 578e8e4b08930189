import type { Metadata } from "next";
import { Suspense } from "react";
import { ServicesView } from "./services-view";

export const metadata: Metadata = { title: "Services" };

export default function ServicesPage() {
  return (
    <Suspense>
      <ServicesView />
    </Suspense>
  );
}
