import type { Metadata } from "next";
import { Suspense } from "react";
import { ShardClusterDetailView } from "./shard-cluster-detail";

type Params = Promise<{ cluster: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { cluster } = await params;
  return { title: `${decodeURIComponent(cluster)} · Shards` };
}

export default async function ShardClusterPage({ params }: { params: Params }) {
  const { cluster } = await params;
  return (
    <Suspense>
      <ShardClusterDetailView cluster={decodeURIComponent(cluster)} />
    </Suspense>
  );
}
