import type { Metadata } from "next";
import { Suspense } from "react";
import { TopicView } from "./topic-view";

type Params = Promise<{ cluster: string; topic: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { topic } = await params;
  return { title: `${decodeURIComponent(topic)} (topic)` };
}

export default async function TopicPage({ params }: { params: Params }) {
  const { cluster, topic } = await params;
  return (
    <Suspense>
      <TopicView cluster={decodeURIComponent(cluster)} topic={decodeURIComponent(topic)} />
    </Suspense>
  );
}
