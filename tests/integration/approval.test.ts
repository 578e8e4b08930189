// The approval engine end to end through the tRPC procedures the UI calls, on a real
// PostgreSQL, a real pg-boss and the fleet simulator.
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Principal } from "../../server/auth/principal";
import { createDb, db, type Db } from "../../server/db/client";
import type { Workload } from "../../server/domain/ports";
import { executeApprovedAction } from "../../server/jobs/execute-action";
import { appRouter, createCaller } from "../../server/routers";
import type { Context } from "../../server/trpc";
import { createScratchDatabase, withClient, type ScratchDatabase } from "../helpers/databases";
import { startTestRuntime, TEST_ENVIRONMENT, type TestRuntime } from "../helpers/runtime";
import { createTestUser } from "../helpers/users";

let runtime: TestRuntime;
let viewer: Principal;
let operator: Principal;
let otherOperator: Principal;
let approver: Principal;
let secondApprover: Principal;
let admin: Principal;

beforeAll(async () => {
  runtime = await startTestRuntime({ db, databaseUrl: inject("databaseUrl") });
  [viewer, operator, otherOperator, approver, secondApprover, admin] = await Promise.all([
    createTestUser(db, "viewer"),
    createTestUser(db, "operator"),
    createTestUser(db, "operator"),
    createTestUser(db, "approver"),
    createTestUser(db, "approver"),
    createTestUser(db, "admin"),
  ]);
});

afterAll(async () => {
  await runtime?.stop();
});

function contextFor(principal: Principal | null, database: Db = db, on: TestRuntime = runtime): Context {
  return { db: database, principal, runtime: async () => on };
}

const as = (principal: Principal | null, database?: Db, on?: TestRuntime) => createCaller(contextFor(principal, database, on));

type Service = { namespace: string; service: string; region: string };
// Each test scales its own workload, so the order they run in does not matter.
const services = {
  lifecycle: { namespace: "checkout", service: "checkout-api", region: "eu-west-1" },
  race: { namespace: "checkout", service: "cart", region: "eu-west-1" },
  repeat: { namespace: "catalog", service: "catalog-api", region: "eu-west-1" },
  breakGlass: { namespace: "catalog", service: "search", region: "eu-west-1" },
  resumed: { namespace: "catalog", service: "inventory", region: "us-east-1" },
  misc: { namespace: "platform", service: "auth", region: "us-east-1" },
} satisfies Record<string, Service>;

function workloadOf(target: Service, on: TestRuntime = runtime): Workload {
  const [workload] = on.fleet.find({ environment: TEST_ENVIRONMENT, namespace: target.namespace, name: target.service, region: target.region });
  if (!workload) throw new Error(`the simulator has no ${target.namespace}/${target.service} in ${target.region}`);
  return workload;
}

/** One replica more (or less, at the top): a medium-risk change that needs one approval. */
function oneStepFrom(workload: Workload): number {
  return workload.desiredReplicas < workload.maxReplicas ? workload.desiredReplicas + 1 : workload.desiredReplicas - 1;
}

function scaleInput(target: Service, replicas: number, idempotencyKey: string = randomUUID()) {
  return {
    kind: "service.scale",
    environment: TEST_ENVIRONMENT,
    params: { ...target, replicas },
    reason: "integration test: capacity for the afternoon peak",
    idempotencyKey,
  };
}

async function requestScale(by: Principal, target: Service, on: TestRuntime = runtime, database: Db = db) {
  return as(by, database, on).actions.request(scaleInput(target, oneStepFrom(workloadOf(target, on))));
}

async function rejectionOf(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${error === null ? "success" : String(error)}`);
  return error;
}

async function waitForState(requestId: string, states: string[], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const request = await db.actionRequest.findUniqueOrThrow({ where: { id: requestId } });
    if (states.includes(request.state)) return request;
    if (Date.now() > deadline) throw new Error(`request ${requestId} is ${request.state}, not ${states.join("/")} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function auditActionsFor(requestId: string, database: Db = db) {
  return database.auditEvent
    .findMany({ where: { details: { path: ["requestId"], equals: requestId } }, orderBy: { seq: "asc" }, select: { action: true, actorEmail: true, details: true } })
    .then((rows) => rows);
}

async function jobCount(requestId: string, databaseUrl: string = inject("databaseUrl")): Promise<number> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ count: string }>("SELECT count(*) FROM pgboss.job WHERE id = $1", [requestId]);
    return Number(rows[0]?.count);
  });
}

describe("who may do what", () => {
  it("a viewer cannot request an action", async () => {
    const error = await rejectionOf(as(viewer).actions.request(scaleInput(services.misc, oneStepFrom(workloadOf(services.misc)))));
    expect(error.code).toBe("FORBIDDEN");
  });

  it("nobody signed out can do anything", async () => {
    expect((await rejectionOf(as(null).actions.list({}))).code).toBe("UNAUTHORIZED");
  });

  it("an operator cannot request outside the scope of their role", async () => {
    const catalogOperator = await createTestUser(db, "operator", { environment: TEST_ENVIRONMENT, namespace: "catalog" });
    const error = await rejectionOf(as(catalogOperator).actions.request(scaleInput(services.misc, oneStepFrom(workloadOf(services.misc)))));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toBe("you may not request service.scale on demo/platform");
  });

  it("an operator cannot approve", async () => {
    const request = await requestScale(operator, services.misc);
    const error = await rejectionOf(as(otherOperator).actions.approve({ id: request.id }));
    expect(error.code).toBe("FORBIDDEN");
    expect((await db.actionRequest.findUniqueOrThrow({ where: { id: request.id } })).state).toBe("pending");
  });

  it("nobody approves their own request, not even an admin", async () => {
    const request = await requestScale(admin, services.misc);
    const error = await rejectionOf(as(admin).actions.approve({ id: request.id }));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toBe("nobody approves or rejects their own request");
    expect(await db.actionDecision.count({ where: { requestId: request.id } })).toBe(0);
    expect((await db.actionRequest.findUniqueOrThrow({ where: { id: request.id } })).state).toBe("pending");
  });
});

describe("requests", () => {
  it("refuses replicas outside the workload's bounds, naming them", async () => {
    const workload = workloadOf(services.misc);
    const input = scaleInput(services.misc, workload.maxReplicas + 1);
    const error = await rejectionOf(as(operator).actions.request(input));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toBe(
      `replicas must be between ${workload.minReplicas} and ${workload.maxReplicas} for platform/auth (asked for ${workload.maxReplicas + 1})`,
    );
    expect(await db.actionRequest.count({ where: { idempotencyKey: input.idempotencyKey } })).toBe(0);
  });

  it("returns the same request for a retry with the same idempotency key", async () => {
    const input = scaleInput(services.misc, oneStepFrom(workloadOf(services.misc)));
    const first = await as(operator).actions.request(input);
    const retry = await as(operator).actions.request(input);
    expect(retry.id).toBe(first.id);
    expect(await db.actionRequest.count({ where: { idempotencyKey: input.idempotencyKey } })).toBe(1);
    expect((await auditActionsFor(first.id)).filter((event) => event.action === "action.request")).toHaveLength(1);
  });

  it("refuses the same idempotency key with other parameters", async () => {
    const workload = workloadOf(services.misc);
    const input = scaleInput(services.misc, oneStepFrom(workload));
    await as(operator).actions.request(input);
    const changed = { ...input, params: { ...input.params, replicas: input.params.replicas === workload.minReplicas ? input.params.replicas + 2 : workload.minReplicas } };
    const error = await rejectionOf(as(operator).actions.request(changed));
    expect(error.code).toBe("CONFLICT");
    expect(await db.actionRequest.count({ where: { idempotencyKey: input.idempotencyKey } })).toBe(1);
  });

  it("an expired request cannot be approved, and is marked expired", async () => {
    const request = await requestScale(operator, services.misc);
    await db.actionRequest.update({ where: { id: request.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const error = await rejectionOf(as(approver).actions.approve({ id: request.id }));
    expect(error.code).toBe("PRECONDITION_FAILED");
    expect(error.message).toMatch(/expired/);
    const after = await db.actionRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(after.state).toBe("expired");
    expect(await db.actionDecision.count({ where: { requestId: request.id } })).toBe(0);
    expect((await auditActionsFor(request.id)).map((event) => event.action)).toEqual(["action.request", "action.expire"]);
    expect(await jobCount(request.id)).toBe(0);
  });
});

describe("approval and execution", () => {
  it("goes pending → approved → executing → succeeded and changes the simulator", async () => {
    const before = workloadOf(services.lifecycle);
    const replicas = oneStepFrom(before);
    const request = await as(operator).actions.request(scaleInput(services.lifecycle, replicas));
    expect(request.state).toBe("pending");
    expect(request.risk).toBe("medium");
    expect(request.requiredApprovals).toBe(1);
    expect(workloadOf(services.lifecycle).desiredReplicas).toBe(before.desiredReplicas);

    const approved = await as(approver).actions.approve({ id: request.id, comment: "go" });
    expect(approved.state).toBe("approved");

    const done = await waitForState(request.id, ["succeeded", "failed"]);
    expect(done.state).toBe("succeeded");
    expect(done.outcome).toMatchObject({ ok: true, resumed: false, observed: { desiredReplicas: replicas } });
    expect(workloadOf(services.lifecycle).desiredReplicas).toBe(replicas);

    const states = runtime.published.filter((event) => event.requestId === request.id).map((event) => event.state);
    expect(states).toEqual(["pending", "approved", "executing", "succeeded"]);
    expect((await auditActionsFor(request.id)).map((event) => event.action)).toEqual([
      "action.request",
      "action.approve",
      "action.execute.start",
      "action.execute.succeeded",
    ]);
  });

  it("a second approval by the same approver changes nothing", async () => {
    const request = await requestScale(operator, services.repeat);
    await as(approver).actions.approve({ id: request.id });
    await as(approver).actions.approve({ id: request.id, comment: "clicked twice" });
    await waitForState(request.id, ["succeeded"]);
    expect(await db.actionDecision.count({ where: { requestId: request.id } })).toBe(1);
    expect((await auditActionsFor(request.id)).filter((event) => event.action === "action.approve")).toHaveLength(1);
    expect(await jobCount(request.id)).toBe(1);
  });

  it("two approvers racing give exactly one approval, one job and one execution", async () => {
    const request = await requestScale(operator, services.race);
    const results = await Promise.allSettled([as(approver).actions.approve({ id: request.id }), as(secondApprover).actions.approve({ id: request.id })]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const [refused] = results.filter((result) => result.status === "rejected");
    expect(refused?.reason).toBeInstanceOf(TRPCError);
    expect((refused?.reason as TRPCError).code).toBe("CONFLICT");

    await waitForState(request.id, ["succeeded"]);
    // A late duplicate delivery of the job finds the request settled and does nothing.
    await Promise.all([executeApprovedAction(runtime.actions, request.id), executeApprovedAction(runtime.actions, request.id)]);

    const actions = (await auditActionsFor(request.id)).map((event) => event.action);
    expect(actions).toEqual(["action.request", "action.approve", "action.execute.start", "action.execute.succeeded"]);
    expect(await db.actionDecision.count({ where: { requestId: request.id } })).toBe(1);
    expect(await jobCount(request.id)).toBe(1);
  });

  it("settles an interrupted execution once, however many retries resume it", async () => {
    const replicas = oneStepFrom(workloadOf(services.resumed));
    const request = await as(operator).actions.request(scaleInput(services.resumed, replicas));
    // As if a worker claimed the request, applied the change and died before recording it.
    await db.actionRequest.update({ where: { id: request.id }, data: { state: "executing", startedAt: new Date() } });
    await runtime.workloads.scaleWorkload({ environment: TEST_ENVIRONMENT, namespace: services.resumed.namespace, name: services.resumed.service, region: services.resumed.region }, replicas);

    await Promise.all([1, 2, 3].map(() => executeApprovedAction(runtime.actions, request.id)));

    const settled = await db.actionRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(settled.state).toBe("succeeded");
    expect(settled.outcome).toMatchObject({ ok: true, resumed: true });
    expect((await auditActionsFor(request.id)).map((event) => event.action)).toEqual(["action.request", "action.execute.succeeded"]);
    expect(runtime.published.filter((event) => event.requestId === request.id && event.state === "succeeded")).toHaveLength(1);
  });
});

describe("work two requests would do twice", () => {
  const replayOf = (maxMessages: number) => ({
    kind: "dlq.replay",
    environment: TEST_ENVIRONMENT,
    params: { region: "us-east-1", cluster: "events", topic: "orders.dlq", maxMessages, messagesPerSecond: 5 },
    reason: "integration test: the fix for the failed orders is out",
    idempotencyKey: randomUUID(),
  });
  const requestAndApprove = async (maxMessages: number) => {
    const request = await as(operator).actions.request(replayOf(maxMessages));
    await as(approver).actions.approve({ id: request.id });
    return request;
  };
  /** Runs the fleet (which does not tick by itself here) until the requests are settled. */
  async function settle(...ids: string[]) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const states = await Promise.all(ids.map(async (id) => (await db.actionRequest.findUniqueOrThrow({ where: { id } })).state));
      if (states.every((state) => state === "succeeded" || state === "failed")) return;
      if (Date.now() > deadline) throw new Error(`requests still ${states.join(", ")}`);
      runtime.fleet.tick(runtime.fleet.now + 1000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("a replay does not start while another into the same topic is executing, even one interrupted and waiting for its retry", async () => {
    const interrupted = await as(operator).actions.request(replayOf(10));
    // As if a worker had claimed it and died: executing, with no consumer in Kafka's eyes.
    await db.actionRequest.update({ where: { id: interrupted.id }, data: { state: "executing", startedAt: new Date(), progress: { replayed: 4, planned: 10 } } });

    const second = await requestAndApprove(10);
    const refused = await waitForState(second.id, ["failed", "succeeded"]);
    expect(refused.state).toBe("failed");
    expect(refused.error).toBe(`request ${interrupted.id} ("Replay a dead-letter queue", the same target) is executing (4 of 10 done), and both would do the same work: this one did not start. Request it again once that one has finished`);
    expect(runtime.fleet.replay(second.id)).toBeUndefined();
    expect((await auditActionsFor(second.id)).map((event) => event.action)).toEqual(["action.request", "action.approve", "action.execute.start", "action.execute.failed"]);
    expect(runtime.published.filter((event) => event.requestId === second.id).map((event) => event.state)).toEqual(["pending", "approved", "failed"]);

    // Another dead-letter topic is another target: it runs.
    const other = await as(operator).actions.request({ ...replayOf(5), params: { ...replayOf(5).params, topic: "payments.dlq" } });
    await as(approver).actions.approve({ id: other.id });
    await settle(other.id);
    expect((await db.actionRequest.findUniqueOrThrow({ where: { id: other.id } })).state).toBe("succeeded");

    // Once the interrupted one has finished, the same replay may run.
    await db.actionRequest.update({ where: { id: interrupted.id }, data: { state: "failed", finishedAt: new Date() } });
    const third = await requestAndApprove(5);
    await settle(third.id);
    expect((await db.actionRequest.findUniqueOrThrow({ where: { id: third.id } })).state).toBe("succeeded");
  });

  it.each([
    { kind: "dlq.replay", title: "Replay a dead-letter queue", input: () => replayOf(10), started: (id: string) => runtime.fleet.replay(id) !== undefined },
    { kind: "cache.failover", title: "Fail over a cache (Sentinel)", input: () => ({ ...replayOf(1), kind: "cache.failover", params: { region: "eu-west-1", cache: "product-cache" }, idempotencyKey: randomUUID() }), started: () => false },
    { kind: "region.failover", title: "Shift traffic between regions", input: () => ({ ...replayOf(1), kind: "region.failover", params: { weights: { "eu-west-1": 51, "us-east-1": 49 } }, idempotencyKey: randomUUID() }), started: () => false },
  ])("of two $kind requests on one target approved at the same moment, exactly one runs", async ({ title, input, started }) => {
    const [first, second] = await Promise.all([as(operator).actions.request(input()), as(operator).actions.request(input())]);
    // Approved without queueing their jobs, so that the two executions below are the only ones:
    // two workers (two replicas of the app) each taking one request at the same moment.
    await db.actionRequest.updateMany({ where: { id: { in: [first.id, second.id] } }, data: { state: "approved" } });
    await Promise.all([executeApprovedAction(runtime.actions, first.id), executeApprovedAction(runtime.actions, second.id), settle(first.id, second.id)]);
    const settled = await db.actionRequest.findMany({ where: { id: { in: [first.id, second.id] } } });
    expect(settled.map((request) => request.state).sort()).toEqual(["failed", "succeeded"]);
    const winner = settled.find((request) => request.state === "succeeded");
    const loser = settled.find((request) => request.state === "failed");
    expect(loser?.error).toContain(`request ${winner?.id} ("${title}", the same target) is executing`);
    expect((await auditActionsFor(loser?.id ?? "")).map((event) => event.action)).toEqual(["action.request", "action.execute.start", "action.execute.failed"]);
    // A replay leaves a trace in the simulator once started; the loser's has none.
    expect(started(loser?.id ?? "")).toBe(false);
  });
});

describe("break glass", () => {
  it("is for admins only", async () => {
    const request = await requestScale(operator, services.misc);
    const error = await rejectionOf(as(approver).actions.breakGlass({ id: request.id, reason: "payments is down, no admin awake" }));
    expect(error.code).toBe("FORBIDDEN");
  });

  it("needs a reason", async () => {
    const request = await requestScale(operator, services.misc);
    const error = await rejectionOf(as(admin).actions.breakGlass({ id: request.id, reason: "urgent" }));
    expect(error.code).toBe("BAD_REQUEST");
    expect((await db.actionRequest.findUniqueOrThrow({ where: { id: request.id } })).state).toBe("pending");
  });

  it("runs the request without an approval and is audited as break glass", async () => {
    const replicas = oneStepFrom(workloadOf(services.breakGlass));
    const request = await as(operator).actions.request(scaleInput(services.breakGlass, replicas));
    const reason = "checkout is failing and the approver rota is unreachable";
    const approved = await as(admin).actions.breakGlass({ id: request.id, reason });
    expect(approved).toMatchObject({ state: "approved", breakGlassReason: reason });

    await waitForState(request.id, ["succeeded"]);
    expect(workloadOf(services.breakGlass).desiredReplicas).toBe(replicas);
    const decision = await db.actionDecision.findFirstOrThrow({ where: { requestId: request.id } });
    expect(decision).toMatchObject({ deciderId: admin.id, breakGlass: true, comment: reason });
    const events = await auditActionsFor(request.id);
    expect(events.map((event) => event.action)).toEqual(["action.request", "action.breakGlass", "action.execute.start", "action.execute.succeeded"]);
    expect(events[1]).toMatchObject({ actorEmail: admin.email, details: { requestId: request.id, reason } });
  });
});

describe("when the audit event cannot be written", () => {
  let scratch: ScratchDatabase;
  let scratchDb: Db;
  let scratchRuntime: TestRuntime;
  let scratchOperator: Principal;
  let scratchApprover: Principal;

  beforeAll(async () => {
    scratch = await createScratchDatabase("audit_fails");
    scratchDb = createDb(scratch.url, 2);
    scratchRuntime = await startTestRuntime({ db: scratchDb, databaseUrl: scratch.url, workers: false });
    scratchOperator = await createTestUser(scratchDb, "operator");
    scratchApprover = await createTestUser(scratchDb, "approver");
  });

  afterAll(async () => {
    await scratchRuntime?.stop();
    await scratchDb?.$disconnect();
    await scratch?.drop();
  });

  /** Makes every insert of one kind of audit event fail, as a full disk or a lost connection would. */
  async function refuseAuditOf(action: string) {
    await withClient(scratch.url, async (client) => {
      await client.query(`ALTER TABLE "AuditEvent" DROP CONSTRAINT IF EXISTS audit_write_fails`);
      await client.query(`ALTER TABLE "AuditEvent" ADD CONSTRAINT audit_write_fails CHECK ("action" <> '${action}')`);
    });
  }

  it("no request is created", async () => {
    await refuseAuditOf("action.request");
    const input = scaleInput(services.misc, oneStepFrom(workloadOf(services.misc, scratchRuntime)));
    const error = await rejectionOf(as(scratchOperator, scratchDb, scratchRuntime).actions.request(input));
    expect(error.code).toBe("INTERNAL_SERVER_ERROR");
    expect(await scratchDb.actionRequest.count()).toBe(0);
  });

  it("no approval is recorded and nothing is queued to run", async () => {
    await refuseAuditOf("action.approve");
    const request = await requestScale(scratchOperator, services.misc, scratchRuntime, scratchDb);
    const error = await rejectionOf(as(scratchApprover, scratchDb, scratchRuntime).actions.approve({ id: request.id }));
    expect(error.code).toBe("INTERNAL_SERVER_ERROR");
    expect((await scratchDb.actionRequest.findUniqueOrThrow({ where: { id: request.id } })).state).toBe("pending");
    expect(await scratchDb.actionDecision.count({ where: { requestId: request.id } })).toBe(0);
    expect(await jobCount(request.id, scratch.url)).toBe(0);
  });
});

describe("errors over HTTP", () => {
  /** Calls a mutation the way the browser does, through the same fetch handler as app/api/trpc. */
  async function post(path: string, input: unknown, principal: Principal, context: Context = contextFor(principal)) {
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(`http://localhost/api/trpc/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(superjson.serialize(input)),
      }),
      router: appRouter,
      createContext: () => context,
    });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as { error?: { json: { message: string; data: Record<string, unknown> } } } };
  }

  it("names the invalid field of the procedure's input", async () => {
    const { status, body } = await post("actions.request", { ...scaleInput(services.misc, 3), reason: "x" }, operator);
    expect(status).toBe(400);
    expect(body.error?.json.data).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { reason: ["say why, in a few words"] } });
  });

  it("names the invalid field of the action's parameters", async () => {
    const { status, body } = await post("actions.request", scaleInput(services.misc, -1), operator);
    expect(status).toBe(400);
    expect(body.error?.json.message).toBe("invalid parameters");
    expect(body.error?.json.data).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { replicas: ["replicas cannot be negative"] } });
  });

  it("does not pass an unexpected error's details to the client", async () => {
    const brokenRuntime = async (): Promise<TestRuntime> => {
      throw new Error("connect ECONNREFUSED 10.0.0.5:5432 (user scaleplane)");
    };
    const { status, text, body } = await post("actions.request", scaleInput(services.misc, 3), operator, { ...contextFor(operator), runtime: brokenRuntime });
    expect(status).toBe(500);
    expect(body.error?.json).toMatchObject({ message: "internal server error", data: { code: "INTERNAL_SERVER_ERROR" } });
    expect(text).not.toMatch(/ECONNREFUSED|10\.0\.0\.5/);
  });

  it("never sends a stack trace", async () => {
    const { text, body } = await post("actions.approve", { id: randomUUID() }, approver);
    expect(body.error?.json.data).toMatchObject({ code: "NOT_FOUND", fieldErrors: null });
    expect(text).not.toMatch(/stack|\bat .*\.ts:\d+/);
  });
});
