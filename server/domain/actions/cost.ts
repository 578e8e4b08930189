// The cost model behind previews: a flat price per replica-hour (PRICE_PER_REPLICA_HOUR).
const HOURS_PER_MONTH = 730;

export function monthlyReplicaCost(replicaDelta: number, pricePerReplicaHour: number): number {
  return Math.round(replicaDelta * pricePerReplicaHour * HOURS_PER_MONTH * 100) / 100;
}
