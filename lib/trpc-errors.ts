// What the server's error formatter sends (server/trpc.ts): a message a user can act on,
// and, for validation failures, the messages per field.
import { TRPCClientError } from "@trpc/client";

export interface ErrorView {
  message: string;
  code: string | null;
  fieldErrors: Record<string, string[]>;
}

export function readError(error: unknown): ErrorView | null {
  if (!error) return null;
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as { code?: string; fieldErrors?: Record<string, string[] | undefined> | null };
    const fieldErrors: Record<string, string[]> = {};
    for (const [field, messages] of Object.entries(data.fieldErrors ?? {})) if (messages?.length) fieldErrors[field] = messages;
    return { message: error.message, code: data.code ?? null, fieldErrors };
  }
  return { message: error instanceof Error ? error.message : String(error), code: null, fieldErrors: {} };
}
