import type { Metadata } from "next";
import { Suspense } from "react";
import { ServiceDetailView } from "./service-detail";

type Params = Promise<{ namespace: string; name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { namespace, name } = await params;
  return { title: `${decodeURIComponent(namespace)}/${decodeURIComponent(name)}` };
}

export default async function ServicePage({ params }: { params: Params }) {
  const { namespace, name } = await params;
  return (
    <Suspense>
      <ServiceDetailView namespace={decodeURIComponent(namespace)} name={decodeURIComponent(name)} />
    </Suspense>
  );
}
