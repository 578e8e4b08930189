import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { authOptions } from "@/server/auth/options";
import { env, oidcEnabled } from "@/server/env";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const { callbackUrl, error } = await searchParams;
  // Only same-site paths: a login page must not become an open redirect.
  const next = callbackUrl?.startsWith("/") && !callbackUrl.startsWith("//") ? callbackUrl : "/";
  if (await getServerSession(authOptions)) redirect(next);
  return (
    <main className="flex min-h-screen items-center justify-center bg-zinc-50 p-6 dark:bg-zinc-950">
      <div className="w-full max-w-sm rounded-lg border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <h1 className="mb-1 text-lg font-semibold">Scaleplane</h1>
        <p className="mb-5 text-zinc-500">Sign in to operate the platform.</p>
        <LoginForm callbackUrl={next} oidc={oidcEnabled} initialError={error ? "Sign-in failed." : null} />
        {env.SCALEPLANE_DEMO && (
          <div className="mt-5 rounded border border-amber-300 bg-amber-50 p-3 text-xs text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200">
            <strong>Demo accounts</strong> (password <code>demo</code>): admin@, operator@, approver@, viewer@scaleplane.local
          </div>
        )}
      </div>
    </main>
  );
}
