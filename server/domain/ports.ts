// Ports: what the domain needs from the outside world. Adapters (server/adapters/*)
// implement them for real systems and for the fleet simulator.

/** Where a workload lives. `region` is omitted when a service runs in one region only. */
export interface WorkloadRef {
  environment: string;
  namespace: string;
  name: string;
  region?: string;
}

export interface Workload extends Required<WorkloadRef> {
  kind: "Deployment" | "StatefulSet";
  /** spec.replicas */
  desiredReplicas: number;
  /** status.availableReplicas */
  availableReplicas: number;
  /** Bounds the platform enforces for this workload (HPA min/max, or policy). */
  minReplicas: number;
  maxReplicas: number;
}

/** Scaling through the scale subresource; the Kubernetes adapter implements the same. */
export interface WorkloadPort {
  listWorkloads(environment?: string): Promise<Workload[]>;
  getWorkload(ref: WorkloadRef): Promise<Workload | null>;
  /** Sets spec.replicas. Resolves once the change is accepted, not when pods are ready. */
  scaleWorkload(ref: WorkloadRef, replicas: number): Promise<void>;
}

/** Request, error and duration figures per service (RED) and saturation, at one instant. */
export interface ServiceStats {
  environment: string;
  namespace: string;
  name: string;
  region: string;
  requestsPerSecond: number;
  /** 0..1 */
  errorRatio: number;
  p95LatencyMs: number;
  /** 0..1 of the CPU requested */
  cpuUtilisation: number;
}

export interface TimePoint {
  /** epoch milliseconds */
  t: number;
  requestsPerSecond: number;
  errorRatio: number;
  p95LatencyMs: number;
  cpuUtilisation: number;
  replicas: number;
}

export interface TimeWindow {
  /** epoch milliseconds */
  from: number;
  to: number;
  /** seconds between points */
  stepSeconds: number;
}

/** Typed metric queries. The Prometheus adapter answers them with PromQL; the simulator directly. */
export interface MetricsSource {
  currentServiceStats(environment?: string): Promise<ServiceStats[]>;
  serviceSeries(ref: WorkloadRef, window: TimeWindow): Promise<TimePoint[]>;
  /** For /api/health: can the source answer at all. */
  ping(): Promise<void>;
}
