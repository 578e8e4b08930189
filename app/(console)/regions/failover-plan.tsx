"use client";
// What failing a region over would do, in one sentence first (where the traffic goes, how much,
// what breaks), then the figures: the receiving regions before and after, and the services that
// would need more replicas than their autoscaler allows.
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { SortableTable, type Column } from "@/components/sortable-table";
import { Button } from "@/components/ui";
import type { RouterOutputs } from "@/lib/api-types";
import { formatPercent, formatRate } from "@/lib/format";

export type FailoverPlan = RouterOutputs["regions"]["list"]["regions"][number]["failover"];
type Shift = FailoverPlan["shifts"][number];
type AtRisk = FailoverPlan["servicesAtRisk"][number];

/** How many services at risk the sentence names before "and N more". */
const NAMED_IN_SENTENCE = 3;
/** The table shows this many at first; a click shows them all. */
const FIRST_ROWS = 10;

const serviceHref = (service: AtRisk) => `/services/${encodeURIComponent(service.namespace)}/${encodeURIComponent(service.name)}?region=${encodeURIComponent(service.region)}`;
const pct = (ratio: number) => formatPercent(ratio, 0);

function Strong({ children, tone }: { children: ReactNode; tone?: "bad" }) {
  return <strong className={tone === "bad" ? "font-semibold text-red-700 dark:text-red-400" : "font-semibold"}>{children}</strong>;
}

function joinWith(parts: ReactNode[], last = " and "): ReactNode[] {
  return parts.flatMap((part, i) => (i === 0 ? [part] : [i === parts.length - 1 ? last : ", ", part]));
}

/** "Failing over eu-west-1 moves 60% of traffic (4,100 req/s) to us-east-1: weight 40% → 100% …" */
export function FailoverSentence({ plan }: { plan: FailoverPlan }) {
  if (plan.blockedBecause) {
    return (
      <>
        Failing over <Strong>{plan.from}</Strong> is not possible: <Strong tone="bad">{plan.blockedBecause}</Strong>.
      </>
    );
  }
  if (plan.movedShare <= 0) {
    return (
      <>
        <Strong>{plan.from}</Strong> carries no traffic (weight 0%): failing it over moves nothing.
      </>
    );
  }
  const targets = plan.shifts.map((shift) => (
    <span key={shift.region}>
      <Strong>{shift.region}</Strong>: weight {pct(shift.weightBefore)} → <Strong>{pct(shift.weightAfter)}</Strong>, {formatRate(shift.requestsPerSecondBefore)} → {formatRate(shift.requestsPerSecondAfter)} req/s
    </span>
  ));
  const risk = plan.servicesAtRisk;
  const named = risk.slice(0, NAMED_IN_SENTENCE).map((service) => (
    <span key={`${service.namespace}/${service.name}@${service.region}`}>
      {service.namespace}/{service.name} in {service.region} (needs {service.replicasNeeded}, max {service.maxReplicas})
    </span>
  ));
  return (
    <>
      Failing over <Strong>{plan.from}</Strong> moves <Strong>{pct(plan.movedShare)}</Strong> of traffic (<Strong>{formatRate(plan.requestsPerSecondMoved)} req/s</Strong>) to {joinWith(targets, "; and ")}
      {". "}
      {risk.length === 0 ? (
        <>No service would exceed its max replicas.</>
      ) : (
        <>
          <Strong tone="bad">
            {risk.length.toLocaleString("en-US")} service{risk.length === 1 ? "" : "s"} would exceed {risk.length === 1 ? "its" : "their"} max replicas
          </Strong>
          : {joinWith(named, risk.length > NAMED_IN_SENTENCE ? ", " : " and ")}
          {risk.length > NAMED_IN_SENTENCE && <> and {(risk.length - NAMED_IN_SENTENCE).toLocaleString("en-US")} more</>}.
        </>
      )}
    </>
  );
}

const shiftColumns: Column<Shift>[] = [
  { key: "region", header: "Receives", headerClassName: "w-32", cell: (shift) => <span className="font-mono text-[11px]">{shift.region}</span> },
  {
    key: "weight",
    header: "weight",
    title: "traffic weight before → after",
    align: "right",
    cell: (shift) => (
      <>
        {pct(shift.weightBefore)} → <strong>{pct(shift.weightAfter)}</strong>
      </>
    ),
  },
  {
    key: "rps",
    header: "req/s",
    title: "requests per second before → after",
    align: "right",
    cell: (shift) => (
      <>
        {formatRate(shift.requestsPerSecondBefore)} → <strong>{formatRate(shift.requestsPerSecondAfter)}</strong>
      </>
    ),
  },
  {
    key: "growth",
    header: "load ×",
    title: "how many times today's load",
    align: "right",
    cell: (shift) => (shift.weightBefore > 0 ? `×${(shift.weightAfter / shift.weightBefore).toFixed(2)}` : "–"),
  },
];

const riskColumns: Column<AtRisk>[] = [
  {
    key: "service",
    header: "Service",
    cell: (service) => (
      <Link href={serviceHref(service)} className="font-medium text-sky-700 hover:underline dark:text-sky-400" data-testid="at-risk-link">
        {service.namespace}/{service.name}
      </Link>
    ),
  },
  { key: "region", header: "Region", headerClassName: "w-28", cell: (service) => <span className="font-mono text-[11px]">{service.region}</span> },
  { key: "replicas", header: "now", title: "desired replicas today", align: "right", headerClassName: "w-16", cell: (service) => service.replicas },
  { key: "needed", header: "needed", title: "replicas needed for the moved traffic", align: "right", headerClassName: "w-16", cell: (service) => <strong>{service.replicasNeeded}</strong> },
  { key: "max", header: "max", title: "the autoscaler's max replicas", align: "right", headerClassName: "w-16", cell: (service) => service.maxReplicas },
  {
    key: "over",
    header: "short by",
    title: "replicas missing above the max",
    align: "right",
    headerClassName: "w-20",
    cell: (service) => <span className="font-semibold text-red-700 dark:text-red-400">{service.replicasNeeded - service.maxReplicas}</span>,
  },
];

export function FailoverDetails({ plan }: { plan: FailoverPlan }) {
  const [all, setAll] = useState(false);
  const risk = plan.servicesAtRisk;
  const rows = all ? risk : risk.slice(0, FIRST_ROWS);
  if (plan.blockedBecause || plan.movedShare <= 0) return null;
  return (
    <div className="grid gap-3 lg:grid-cols-[minmax(0,22rem)_minmax(0,1fr)]">
      <SortableTable caption={`Regions receiving ${plan.from}'s traffic, before and after`} columns={shiftColumns} rows={plan.shifts} rowKey={(shift) => shift.region} rowTestId="failover-shift" />
      {risk.length > 0 && (
        <div>
          <SortableTable
            caption={`Services that would exceed their max replicas if ${plan.from} failed over`}
            columns={riskColumns}
            rows={rows}
            rowKey={(service) => `${service.namespace}/${service.name}@${service.region}`}
            rowTestId="at-risk-row"
            virtualize={all}
            maxHeight="24rem"
          />
          {risk.length > FIRST_ROWS && (
            <Button size="xs" className="mt-1" onClick={() => setAll(!all)} aria-expanded={all}>
              {all ? `Show the first ${FIRST_ROWS}` : `Show all ${risk.length.toLocaleString("en-US")} services at risk`}
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
