// The four-eyes scaling flow in a real browser: an operator requests a scale, an approver
// whose page was already open sees it arrive live and approves it, the change runs and is
// verified, and the audit log shows both steps with an intact chain. Plus cheap negative
// checks: a viewer gets no scale form; out-of-bounds replicas show the server's refusal.
//
// Runs the app with scripts/demo.ts on a fresh database (next start after `npm run build`,
// next dev otherwise) and drives Debian's Chromium through playwright-core.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createScratchDatabase, type ScratchDatabase } from "../helpers/databases";
import { startApp, type RunningApp } from "./support/app";
import { launchBrowser, liveStream, markNoReload, recordServerSentEvents, signIn as signInWithForm, stillNoReload, uiTimeout as timeoutFor } from "./support/browser";

const SERVICE = { namespace: "checkout", name: "payments", region: "us-east-1" };
/** A built app answers in milliseconds; under next dev every first visit compiles the page. */
const uiTimeout = () => timeoutFor(app);
/** An event pushed over SSE arrives in well under a second; the polling fallback takes 15 s. */
const LIVE_TIMEOUT = 8_000;

let database: ScratchDatabase | undefined;
let app: RunningApp | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];

async function signIn(email: string, options: { countEvents?: boolean } = {}): Promise<Page> {
  if (!browser || !app) throw new Error("not started");
  const page = await signInWithForm(browser, app, email, options.countEvents ? { initScript: recordServerSentEvents } : {});
  contexts.push(page.context());
  return page;
}

const servicePath = `/services/${SERVICE.namespace}/${SERVICE.name}`;

async function desiredReplicas(page: Page, region: string): Promise<number> {
  const cell = page.locator(`[data-testid=region-row][data-key="${region}"] [data-testid=desired-replicas]`);
  return Number(await cell.textContent());
}

// Steps wait on conditions, not sleeps; the ceiling only matters when something is broken,
// and under next dev a step includes compiling its pages.
describe("scale a service with a second person's approval", { timeout: 120_000 }, () => {
  let operator: Page;
  let approver: Page;
  let before = 0;
  let requestId = "";

  beforeAll(async () => {
    database = await createScratchDatabase("e2e");
    app = await startApp({ databaseUrl: database.url });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await app?.stop();
    await database?.drop();
  });

  test("the approver's page is open and live before anything is requested", async () => {
    approver = await signIn("approver@scaleplane.local", { countEvents: true });
    await approver.goto("/actions?view=awaitingMe");
    await expect.poll(() => approver.getByTestId("actions-table-awaitingMe").textContent(), { timeout: uiTimeout() }).toContain("Nothing waits for your approval");
    await expect.poll(() => approver.getByTestId("live-status").getAttribute("data-status"), { timeout: uiTimeout() }).toBe("connected");
    // Marks this page load: a reload would lose it.
    await markNoReload(approver);
  });

  test("the operator opens the service from the list", async () => {
    operator = await signIn("operator@scaleplane.local");
    await operator.goto("/services");
    await operator.getByTestId("service-row").first().waitFor();
    const row = operator.locator(`[data-testid=service-row][data-key="${SERVICE.namespace}/${SERVICE.name}@${SERVICE.region}"]`);
    await row.getByTestId("service-link").click();
    await operator.waitForURL(new RegExp(`${servicePath}\\?region=${SERVICE.region}`));
    await operator.getByTestId("open-service.scale").click();
    await operator.getByTestId("scale-form").waitFor();
    // The form opens on the region the page was opened for, with the keyboard in the replica count.
    expect(await operator.getByTestId("scale-region").inputValue()).toBe(SERVICE.region);
    expect(await operator.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("scale-replicas");
    before = await desiredReplicas(operator, SERVICE.region);
    expect(before).toBeGreaterThanOrEqual(2);
  });

  test("out-of-bounds replicas show the server's refusal next to the field", async () => {
    await operator.getByTestId("scale-region").selectOption(SERVICE.region);
    await operator.getByTestId("scale-replicas").fill("999");
    await expect.poll(() => operator.getByTestId("replicas-error").textContent(), { timeout: uiTimeout() }).toMatch(/replicas must be between \d+ and \d+/);
    await operator.getByTestId("scale-reason").fill("e2e: asking for far too many");
    await operator.getByTestId("scale-submit").click();
    await expect.poll(() => operator.getByTestId("replicas-error").textContent(), { timeout: uiTimeout() }).toContain("asked for 999");
    expect(await operator.getByTestId("created-request").count()).toBe(0);
  });

  test("the operator requests one more replica and sees the live preview, then the pending request", async () => {
    await operator.getByTestId("scale-replicas").fill(String(before + 1));
    const preview = operator.getByTestId("scale-preview");
    await expect.poll(() => preview.textContent(), { timeout: uiTimeout() }).toContain(`${before}→${before + 1}`);
    expect(await preview.locator("[data-risk]").getAttribute("data-risk")).toBe("medium");
    await operator.getByTestId("scale-reason").fill("e2e: p95 over the SLO, one more replica");
    await operator.getByTestId("scale-submit").click();
    const created = operator.getByTestId("created-request");
    await expect.poll(() => created.getAttribute("data-state"), { timeout: uiTimeout() }).toBe("pending");
    const href = await operator.getByTestId("created-request-link").getAttribute("href");
    requestId = href?.split("/").pop() ?? "";
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("the request appears on the approver's open page without a reload, and is approved", async () => {
    const row = approver.locator(`[data-testid=action-row][data-key="${requestId}"]`);
    await row.waitFor({ timeout: LIVE_TIMEOUT });
    expect(await stillNoReload(approver)).toBe("no reload");
    // It came through the actions' event stream, not the slow polling fallback.
    expect((await liveStream(approver, "actions.onChange")).messages).toBeGreaterThan(0);
    expect(await row.getByTestId("action-change").textContent()).toBe(`replicas ${before} → ${before + 1}`);
    expect(await row.locator("[data-risk]").getAttribute("data-risk")).toBe("medium");
    await row.getByTestId("approve-button").click();
    // Decided: it leaves "awaiting my approval".
    await row.waitFor({ state: "detached", timeout: uiTimeout() });
  });

  test("the operator sees the request succeed and the new replica count", async () => {
    const created = operator.getByTestId("created-request");
    await expect.poll(() => created.getAttribute("data-state"), { timeout: uiTimeout() }).toBe("succeeded");
    await expect.poll(() => desiredReplicas(operator, SERVICE.region), { timeout: uiTimeout() }).toBe(before + 1);

    await operator.goto(`/actions/${requestId}`);
    const detail = operator.getByTestId("action-detail");
    await expect.poll(() => detail.getAttribute("data-state"), { timeout: uiTimeout() }).toBe("succeeded");
    expect(await operator.getByTestId("action-outcome").textContent()).toContain(`desired replicas now ${before + 1}`);
    expect(await operator.getByTestId("action-decisions").textContent()).toContain("approver@scaleplane.local");
  });

  test("the audit log shows the request and the approval, and the chain verifies", async () => {
    await operator.goto("/audit");
    const status = operator.getByTestId("chain-status");
    await expect.poll(() => status.getAttribute("data-ok"), { timeout: uiTimeout() }).toBe("true");
    expect(await status.textContent()).toMatch(/chain verified: \d+ events/);
    const actions = () => operator.getByTestId("audit-action").allTextContents();
    await expect.poll(actions, { timeout: uiTimeout() }).toEqual(expect.arrayContaining(["action.request", "action.approve", "action.execute.succeeded"]));
    const approval = operator.getByTestId("audit-row").filter({ hasText: "action.approve" }).first();
    expect(await approval.textContent()).toContain("approver@scaleplane.local");
  });

  test("a viewer sees the service but no way to request, even through a link that opens the form", async () => {
    const viewer = await signIn("viewer@scaleplane.local");
    await viewer.goto(`${servicePath}?action=service.scale&p.replicas=${before + 2}`);
    await viewer.getByTestId("scale-not-allowed").waitFor();
    expect(await desiredReplicas(viewer, SERVICE.region)).toBe(before + 1);
    expect(await viewer.getByTestId("open-service.scale").count()).toBe(0);
    expect(await viewer.getByTestId("scale-form").count()).toBe(0);
  });
});
