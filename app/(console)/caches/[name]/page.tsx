import type { Metadata } from "next";
import { Suspense } from "react";
import { CacheDetailView } from "./cache-detail";

type Params = Promise<{ name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { name } = await params;
  return { title: `${decodeURIComponent(name)} · Caches` };
}

export default async function CachePage({ params }: { params: Params }) {
  const { name } = await params;
  return (
    <Suspense>
      <CacheDetailView name={decodeURIComponent(name)} />
    </Suspense>
  );
}
