// Health verdicts for every entity: pure functions from the ports' figures and the configured
// thresholds to OK / WARN / CRIT / UNKNOWN with the reasons that produced them.
export { worstVerdict, compareVerdicts, judge, type Verdict, type Health, type Finding, type Levels } from "./verdict";
export {
  healthThresholdsSchema, DEFAULT_HEALTH_THRESHOLDS, withOverrides, type HealthThresholds, type HealthThresholdsInput,
} from "./thresholds";
export { serviceHealth, autoscalerHealth, regionHealth, DEFAULT_SERVICE_SLO, type ServiceThresholds } from "./services";
export { kafkaClusterHealth, topicHealth, consumerGroupHealth, timeToDrainSeconds, type ConsumerGroupHealth } from "./kafka";
export { cacheHealth, mongoClusterHealth, elasticsearchHealth, mongoMigrationThreshold } from "./datastores";
export {
  emptyWindow, observe, observeGroup, effectiveOffsets, evaluatePartition, evaluateGroup, STATUS_VERDICT,
  type OffsetObservation, type BurrowWindow, type PartitionStatus, type PartitionEvaluation, type EvaluationOptions,
  type PartitionWindow, type EvaluatedPartition, type GroupEvaluation,
} from "./burrow";
export { verdictSince, type VerdictAt, type VerdictSpell } from "./since";
export { formatDuration } from "./format";
