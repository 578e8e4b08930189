// The Prometheus and Alertmanager configuration in deploy/ and the scripts that run it: the
// rules pass promtool's checks and unit tests, start.sh is idempotent and reloads a changed
// configuration, and an alert travels from a rule through Alertmanager to the webhook with
// the bearer token.
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePrometheusInstalled, serveExposition, startTestPrometheus, waitUntil, type TestPrometheus, type TestServer } from "../helpers/prometheus";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const RULES_DIR = path.join(ROOT, "deploy/prometheus/rules");
const RULE_TESTS_DIR = path.join(ROOT, "deploy/prometheus/rules-tests");
const WEBHOOK_TOKEN = "test-webhook-token-0123456789";

interface ReceivedNotification {
  authorization: string | undefined;
  body: { status?: string; alerts?: Array<{ labels?: Record<string, string>; status?: string }> };
}

async function startWebhookReceiver(): Promise<TestServer & { received: ReceivedNotification[] }> {
  const received: ReceivedNotification[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ authorization: request.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("deploy/ configuration and scripts/prometheus", () => {
  beforeAll(async () => {
    await ensurePrometheusInstalled();
  });

  it("has alert rules that promtool accepts", async () => {
    const files = readdirSync(RULES_DIR).filter((file) => file.endsWith(".yml")).map((file) => path.join(RULES_DIR, file));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const { stdout } = await run("promtool", ["check", "rules", ...files]);
    expect(stdout).not.toMatch(/FAILED/);
  });

  it("has alert rules that pass their promtool unit tests", async () => {
    const files = readdirSync(RULE_TESTS_DIR).filter((file) => file.endsWith(".test.yml")).map((file) => path.join(RULE_TESTS_DIR, file));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const { stdout } = await run("promtool", ["test", "rules", ...files]);
    expect(stdout.match(/SUCCESS/g)).toHaveLength(files.length);
  });

  describe("a started Prometheus and Alertmanager", () => {
    let exporter: TestServer & { metricsUrl: string };
    let webhook: TestServer & { received: ReceivedNotification[] };
    let servers: TestPrometheus;
    const extraRules = path.join(ROOT, ".tmp/prometheus-tests", `always-firing-${process.pid}.yml`);

    beforeAll(async () => {
      exporter = await serveExposition(() => "# TYPE deploy_test_up gauge\ndeploy_test_up 1\n");
      webhook = await startWebhookReceiver();
      mkdirSync(path.dirname(extraRules), { recursive: true });
      writeFileSync(
        extraRules,
        ["groups:", "  - name: deploy-test", "    rules:", "      - alert: DeployTestAlwaysFiring", "        expr: vector(1)", "        labels: { severity: warning }", ""].join("\n"),
      );
      servers = await startTestPrometheus({
        scrapeUrl: exporter.metricsUrl,
        alertmanager: true,
        extraRuleFiles: [extraRules],
        webhookUrl: `${webhook.url}/api/alerts/alertmanager`,
        webhookToken: WEBHOOK_TOKEN,
        alertmanagerGroupWait: "1s",
      });
    });

    afterAll(async () => {
      await servers?.stop().catch(() => undefined);
      await webhook?.close();
      await exporter?.close();
      rmSync(extraRules, { force: true });
    });

    it("loads every rule group of deploy/ and finds its Alertmanager", async () => {
      const rules = await getJson<{ data: { groups: Array<{ name: string; rules: Array<{ health: string; name: string }> }> } }>(`${servers.url}/api/v1/rules`);
      const groups = rules.data.groups.map((group) => group.name).sort();
      expect(groups).toEqual(["deploy-test", "scaleplane-caches", "scaleplane-datastores", "scaleplane-kafka", "scaleplane-self", "scaleplane-services"]);
      // Rules are evaluated every second; after a few evaluations none may be broken.
      await waitUntil(async () => {
        const current = await getJson<{ data: { groups: Array<{ rules: Array<{ health: string }> }> } }>(`${servers.url}/api/v1/rules`);
        return current.data.groups.flatMap((group) => group.rules).every((rule) => rule.health === "ok");
      }, 10_000, "every rule to evaluate without error");
      // Prometheus applies discovered targets at most every 5 s.
      const alertmanagers = await waitUntil(async () => {
        const answer = await getJson<{ data: { activeAlertmanagers: Array<{ url: string }> } }>(`${servers.url}/api/v1/alertmanagers`);
        return answer.data.activeAlertmanagers.length > 0 && answer.data.activeAlertmanagers;
      }, 15_000, "Prometheus to find its Alertmanager");
      expect(alertmanagers.map((entry) => entry.url)).toEqual([`${servers.alertmanagerUrl}/api/v2/alerts`]);
      // The target carries the environment label Scaleplane's queries select on.
      const targets = await waitUntil(async () => {
        const answer = await getJson<{ data: { activeTargets: Array<{ labels: Record<string, string>; scrapeUrl: string }> } }>(`${servers.url}/api/v1/targets`);
        return answer.data.activeTargets.length > 0 && answer.data.activeTargets;
      }, 15_000, "Prometheus to find its scrape target");
      expect(targets).toEqual([
        expect.objectContaining({ scrapeUrl: exporter.metricsUrl, labels: expect.objectContaining({ environment: "demo", job: "scaleplane-simulator" }) }),
      ]);
    });

    it("delivers a firing alert to the webhook with the bearer token", async () => {
      const notification = await waitUntil(
        async () => webhook.received.find((entry) => entry.body.alerts?.some((alert) => alert.labels?.alertname === "DeployTestAlwaysFiring")),
        30_000,
        "Alertmanager's notification",
      );
      expect(notification.authorization).toBe(`Bearer ${WEBHOOK_TOKEN}`);
      expect(notification.body.status).toBe("firing");
      const tokenFile = path.join(servers.dataRoot, "alertmanager/webhook-token");
      expect(readFileSync(tokenFile, "utf8")).toBe(WEBHOOK_TOKEN);
      expect(readFileSync(path.join(servers.dataRoot, "alertmanager/alertmanager.yml"), "utf8")).not.toContain(WEBHOOK_TOKEN);
    });

    it("start.sh leaves running servers alone, and reloads a changed configuration", async () => {
      const pidOf = (name: string) => Number(readFileSync(path.join(servers.dataRoot, name, `${name}.pid`), "utf8"));
      const pids = { prometheus: pidOf("prometheus"), alertmanager: pidOf("alertmanager") };
      const again = await run(path.join(ROOT, "scripts/prometheus/start.sh"), [], { env: servers.scriptEnv });
      expect(again.stderr).toContain(`prometheus already runs (pid ${pids.prometheus})`);
      expect(again.stderr).toContain(`alertmanager already runs (pid ${pids.alertmanager})`);

      const changed = await run(path.join(ROOT, "scripts/prometheus/start.sh"), [], { env: { ...servers.scriptEnv, SCRAPE_INTERVAL_SECONDS: "2" } });
      expect(changed.stderr).toContain(`prometheus (pid ${pids.prometheus}) reloaded its changed configuration`);
      const config = await getJson<{ data: { yaml: string } }>(`${servers.url}/api/v1/status/config`);
      expect(config.data.yaml).toMatch(/scrape_interval: 2s/);
      expect({ prometheus: pidOf("prometheus"), alertmanager: pidOf("alertmanager") }).toEqual(pids);
    });

    it("stop.sh stops both servers", async () => {
      const pidOf = (name: string) => Number(readFileSync(path.join(servers.dataRoot, name, `${name}.pid`), "utf8"));
      const pids = [pidOf("prometheus"), pidOf("alertmanager")];
      await servers.stop();
      expect(pids.filter(isAlive)).toEqual([]);
      await expect(fetch(`${servers.url}/-/ready`)).rejects.toThrow();
    });
  });
});
