import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import type { ReactNode } from "react";
import { AppShell } from "@/components/app-shell";
import { authOptions } from "@/server/auth/options";
import { loadPrincipal } from "@/server/auth/principal";
import { db } from "@/server/db/client";
import { env } from "@/server/env";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await getServerSession(authOptions);
  const principal = session?.user?.id ? await loadPrincipal(db, session.user.id) : null;
  if (!principal) redirect("/login");
  const roles = [...new Set(principal.grants.map((grant) => grant.role))];
  return (
    <AppShell user={{ email: principal.email, roles }} demo={env.SCALEPLANE_DEMO}>
      {children}
    </AppShell>
  );
}
