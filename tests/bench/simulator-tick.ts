// Measures the fleet simulator: construction (with its pre-filled history), one simulated
// second (a tick), and rendering the Prometheus exposition as /api/simulator/metrics does
// (UTF-8 blocks), at a few fleet sizes. Wall and CPU time: on a shared machine the CPU time
// is the steadier figure.
//   npx tsx tests/bench/simulator-tick.ts [services...]     (default: 30 2000 5000)
import { createSimulatedFleet, renderExpositionChunks } from "../../server/adapters/simulator";

const START = Date.UTC(2025, 0, 15, 12, 0, 0);
const TICKS = 120;
const RENDERS = 4;

const percentile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;
const ms = (value: number) => `${value.toFixed(1)} ms`;

function measure(services: number): void {
  let started = performance.now();
  const { fleet } = createSimulatedFleet({ services, startAt: START });
  const buildMs = performance.now() - started;

  const ticks: number[] = [];
  for (let i = 1; i <= TICKS; i++) {
    started = performance.now();
    fleet.tick(START + i * 1000);
    ticks.push(performance.now() - started);
  }

  const renders: number[] = [];
  const renderCpu: number[] = [];
  let blocks: Uint8Array[] = [];
  for (let i = 0; i < RENDERS; i++) {
    fleet.tick(START + (TICKS + 1 + i) * 1000);
    const cpu = process.cpuUsage();
    started = performance.now();
    blocks = renderExpositionChunks(fleet);
    renders.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    renderCpu.push((used.user + used.system) / 1000);
  }
  const text = Buffer.concat(blocks).toString("utf8");
  const series = text.split("\n").filter((line) => line !== "" && !line.startsWith("#")).length;
  console.log([
    `services ${services} (${fleet.listWorkloads().length} workloads incl. consumers, 2 regions)`,
    `  construction with history: ${ms(buildMs)}`,
    `  tick (1 simulated second): mean ${ms(ticks.reduce((a, b) => a + b, 0) / ticks.length)}, p95 ${ms(percentile(ticks, 0.95))}, max ${ms(Math.max(...ticks))} over ${TICKS}`,
    `  exposition: wall ${renders.map(ms).join(", ")}; CPU ${renderCpu.map(ms).join(", ")}; ${series} series, ${(text.length / 1e6).toFixed(1)} MB`,
    `  heap used: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
  ].join("\n"));
}

const sizes = process.argv.slice(2).map(Number);
for (const services of sizes.length > 0 ? sizes : [30, 2000, 5000]) measure(services);
