import { z } from "zod";
import type { ActionKind } from "./kind";
import { breakerForce } from "./breaker-force";
import { cacheFailover } from "./cache-failover";
import { cacheInvalidate } from "./cache-invalidate";
import { cacheWarm } from "./cache-warm";
import { consumerGroupResetOffsets } from "./consumer-group-reset-offsets";
import { consumerGroupScale } from "./consumer-group-scale";
import { dlqReplay } from "./dlq-replay";
import { regionFailover } from "./region-failover";
import { serviceAutoscale } from "./service-autoscale";
import { serviceRestart } from "./service-restart";
import { serviceScale } from "./service-scale";
import { topicAddPartitions } from "./topic-add-partitions";

// Each kind is typed on its own parameters; the catalog holds them behind `unknown`,
// and every entry point parses the parameters with the kind's schema first.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActionKind = ActionKind<any, any>;

const kinds: AnyActionKind[] = [
  serviceScale,
  serviceAutoscale,
  serviceRestart,
  regionFailover,
  cacheFailover,
  cacheInvalidate,
  cacheWarm,
  topicAddPartitions,
  consumerGroupResetOffsets,
  dlqReplay,
  consumerGroupScale,
  breakerForce,
];

export const actionCatalog: ReadonlyMap<string, AnyActionKind> = new Map(kinds.map((kind) => [kind.kind, kind]));

export const ACTION_KIND_NAMES = kinds.map((kind) => kind.kind) as [string, ...string[]];

export function describeCatalog() {
  return kinds.map((kind) => ({
    kind: kind.kind,
    title: kind.title,
    permission: kind.permission,
    riskRule: kind.riskRule,
    inputSchema: z.toJSONSchema(kind.params),
  }));
}
