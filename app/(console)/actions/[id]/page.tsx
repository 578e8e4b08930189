import type { Metadata } from "next";
import { ActionDetailView } from "./action-detail";

export const metadata: Metadata = { title: "Action request" };

export default async function ActionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ActionDetailView id={id} />;
}
