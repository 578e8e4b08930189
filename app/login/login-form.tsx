"use client";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";

export function LoginForm({ callbackUrl, oidc, initialError }: { callbackUrl: string; oidc: boolean; initialError: string | null }) {
  const [error, setError] = useState(initialError);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const result = await signIn("credentials", { email: form.get("email"), password: form.get("password"), redirect: false });
    if (result?.ok && !result.error) {
      window.location.assign(callbackUrl);
      return;
    }
    setBusy(false);
    setError("Wrong e-mail or password, or too many attempts. Try again in a few minutes.");
  }

  return (
    <form onSubmit={submit} className="space-y-3">
      <label className="block">
        <span className="mb-1 block text-xs font-medium text-zinc-600 dark:text-zinc-400">E-mail</span>
        <input name="email" type="email" autoComplete="username" required autoFocus className="w-full rounded border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-950" />
      </label>
      <label className="block">
        <span className="mb-1 block text-xs font-medium text-zinc-600 dark:text-zinc-400">Password</span>
        <input name="password" type="password" autoComplete="current-password" required className="w-full rounded border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-950" />
      </label>
      {error && (
        <p role="alert" className="text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy} className="w-full rounded bg-sky-600 px-3 py-1.5 font-medium text-white hover:bg-sky-700 disabled:opacity-60">
        {busy ? "Signing in…" : "Sign in"}
      </button>
      {oidc && (
        <button type="button" onClick={() => signIn("oidc", { callbackUrl })} className="w-full rounded border border-zinc-300 px-3 py-1.5 dark:border-zinc-700">
          Single sign-on
        </button>
      )}
    </form>
  );
}
