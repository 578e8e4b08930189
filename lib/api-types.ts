// The shapes the pages receive from the server, inferred from the routers (types only).
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/routers";

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export type ServiceRow = RouterOutputs["services"]["list"]["rows"][number];
export type ServiceDetail = RouterOutputs["services"]["get"];
export type ActionListItem = RouterOutputs["actions"]["list"]["items"][number];
export type ActionDetail = RouterOutputs["actions"]["get"];
export type ActionPreview = RouterOutputs["actions"]["preview"];
export type AuditItem = RouterOutputs["audit"]["list"]["items"][number];
export type ChainStatus = RouterOutputs["audit"]["verify"];
export type Me = RouterOutputs["me"]["get"];

export type Verdict = "OK" | "WARN" | "CRIT" | "UNKNOWN";
export type RiskLevel = "low" | "medium" | "high";
export type ActionState = "pending" | "approved" | "rejected" | "expired" | "cancelled" | "executing" | "succeeded" | "failed";
