// The configuration when SCALEPLANE_CONFIG is unset: the demo's one environment, its two regions,
// figures from the built-in fleet simulator. The simulator brings its own clusters, so none
// are listed. deploy/scaleplane/demo-with-prometheus.yaml is the same demo read through a real
// Prometheus (scripts/prometheus/start.sh).
import { validateConfig } from "./load";
import type { ScaleplaneConfig, ScaleplaneConfigInput } from "./schema";

export const DEMO_CONFIG_INPUT: ScaleplaneConfigInput = {
  version: 1,
  defaultEnvironment: "demo",
  // The simulator's own alert rules are read this often (a real Prometheus evaluates every 15 to 60 s).
  alerts: { prometheusSyncSeconds: 15 },
  environments: {
    demo: {
      source: "simulator",
      regions: {
        "eu-west-1": {},
        "us-east-1": {},
      },
    },
  },
};

export function demoConfig(): ScaleplaneConfig {
  return validateConfig(DEMO_CONFIG_INPUT, "the built-in demo configuration");
}
