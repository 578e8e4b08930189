// The browser side of an end-to-end test: Debian's Chromium through playwright-core with the
// flags that let it run headless in a container, and a signed-in page for any demo account.
//
//   const browser = await launchBrowser();
//   const page = await signIn(browser, app, "operator@scaleplane.local");
//   ...
//   await browser.close(); // closes its contexts too
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import type { RunningApp } from "./app";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
/** Every demo account's password (scripts/demo.ts seeds them). */
export const DEMO_PASSWORD = "demo";

/** How long a page may take: a built app answers in milliseconds; under next dev every first visit compiles the page. */
export const uiTimeout = (app: Pick<RunningApp, "mode"> | undefined) => (app?.mode === "dev" ? 60_000 : 20_000);

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface SignInOptions {
  /** Context options (viewport, colorScheme …); the base URL is the app's. */
  context?: BrowserContextOptions;
  /** Scripts to run in every page before the app's own (e.g. to count events). */
  initScript?: (() => void) | (() => void)[];
  /** Where the sign-in should land, to wait for; by default anywhere but /login (the app sends users to the overview, `/`). */
  landsOn?: RegExp;
}

/**
 * A new browser context signed in as `email` through the sign-in form, as a person would.
 * The page is on the page the app lands on after signing in.
 */
export async function signIn(browser: Browser, app: RunningApp, email: string, options: SignInOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options.context, baseURL: app.baseUrl });
  context.setDefaultTimeout(uiTimeout(app));
  for (const script of [options.initScript ?? []].flat()) await context.addInitScript(script);
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  try {
    await page.waitForURL(options.landsOn ?? ((url) => !url.pathname.startsWith("/login")));
  } catch (error) {
    const alert = await page.getByRole("alert").allTextContents().catch(() => []);
    throw new Error(`${email} did not get past the sign-in page (${alert.join(" ") || "no message"})`, { cause: error });
  }
  return page;
}

/** One EventSource of a page: tRPC opens one per subscribed procedure, with the procedure's path in its URL. */
export interface RecordedStream {
  url: string;
  open: boolean;
  /** Data events received (tRPC sends them as "message"; its pings have their own event name). */
  messages: number;
}

/**
 * An init script (`signIn(..., { initScript: recordServerSentEvents })`) that records every
 * EventSource the page opens, so a test can wait until a page is live and tell an update that
 * came over the event stream from one that came from polling.
 */
export function recordServerSentEvents(): void {
  const streams: RecordedStream[] = [];
  (window as unknown as { e2eStreams: RecordedStream[] }).e2eStreams = streams;
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      const stream: RecordedStream = { url: String(url), open: false, messages: 0 };
      streams.push(stream);
      this.addEventListener("open", () => (stream.open = true));
      this.addEventListener("error", () => (stream.open = this.readyState === Native.OPEN));
      this.addEventListener("message", () => stream.messages++);
    }
  };
}

/** The page's streams of one procedure (e.g. "alerts.onChange"): whether one is open, and the data events they received. */
export function liveStream(page: Page, procedure: string): Promise<{ open: boolean; messages: number }> {
  return page.evaluate((name) => {
    const streams = ((window as unknown as { e2eStreams?: RecordedStream[] }).e2eStreams ?? []).filter((stream) => new URL(stream.url, location.href).pathname.endsWith(`/${name}`));
    return { open: streams.some((stream) => stream.open), messages: streams.reduce((sum, stream) => sum + stream.messages, 0) };
  }, procedure);
}

/** Marks the page's window; `stillNoReload` reads the mark back, so a test can tell a live update from a reload. */
export async function markNoReload(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { e2eMarker: string }).e2eMarker = "no reload"));
}

/** "no reload" while the page has not been reloaded since `markNoReload`. */
export function stillNoReload(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker);
}
