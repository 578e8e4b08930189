import type { Metadata } from "next";
import { Suspense } from "react";
import { GroupView } from "./group-view";

type Params = Promise<{ cluster: string; group: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { group } = await params;
  return { title: `${decodeURIComponent(group)} (consumer group)` };
}

export default async function ConsumerGroupPage({ params }: { params: Params }) {
  const { cluster, group } = await params;
  return (
    <Suspense>
      <GroupView cluster={decodeURIComponent(cluster)} group={decodeURIComponent(group)} />
    </Suspense>
  );
}
