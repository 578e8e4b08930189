// Errors the action service raises; routers map them to tRPC codes (server/trpc.ts).
import type { z } from "zod";

export type ActionErrorCode = "NOT_FOUND" | "FORBIDDEN" | "CONFLICT" | "BAD_REQUEST" | "PRECONDITION_FAILED";

export class ActionError extends Error {
  override name = "ActionError";
  constructor(
    readonly code: ActionErrorCode,
    message: string,
    readonly issues?: z.core.$ZodIssue[],
  ) {
    super(message);
  }
}
