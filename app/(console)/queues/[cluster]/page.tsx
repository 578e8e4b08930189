import type { Metadata } from "next";
import { Suspense } from "react";
import { ClusterView } from "./cluster-view";

type Params = Promise<{ cluster: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { cluster } = await params;
  return { title: `Kafka ${decodeURIComponent(cluster)}` };
}

export default async function ClusterPage({ params }: { params: Params }) {
  const { cluster } = await params;
  return (
    <Suspense>
      <ClusterView cluster={decodeURIComponent(cluster)} />
    </Suspense>
  );
}
