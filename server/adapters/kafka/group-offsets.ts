// A consumer group's committed offsets through kafkajs's admin client, which asks the group's
// coordinator once and gives up when it is still loading the group (right after a broker
// start, or after the coordinator moved): asked again until it answers. And the group's state.
import type { Admin } from "kafkajs";
import { hasProtocolError } from "./connection";

/** Errors a coordinator answers while it cannot serve the group yet; each passes within seconds. */
const COORDINATOR_NOT_READY = ["GROUP_LOAD_IN_PROGRESS", "GROUP_COORDINATOR_NOT_AVAILABLE", "NOT_COORDINATOR_FOR_GROUP"];

export async function fetchGroupOffsets(admin: Admin, groupId: string, topics?: string[], patienceMs = 15_000): ReturnType<Admin["fetchOffsets"]> {
  const deadline = Date.now() + patienceMs;
  for (let pause = 100; ; pause = Math.min(pause * 2, 1_000)) {
    try {
      return await admin.fetchOffsets(topics ? { groupId, topics } : { groupId });
    } catch (error) {
      if (!hasProtocolError(error, ...COORDINATOR_NOT_READY) || Date.now() + pause > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** Group states in which consumers are members: Kafka moves no offsets then. */
const ACTIVE_GROUP_STATES = new Set(["Stable", "PreparingRebalance", "CompletingRebalance"]);

/** Whether consumers are members of the group (or joining it). */
export const isGroupActive = (group: { state: string; members: readonly unknown[] }) => group.members.length > 0 || ACTIVE_GROUP_STATES.has(group.state);

export async function describeGroup(admin: Admin, group: string) {
  try {
    const { groups } = await admin.describeGroups([group]);
    const description = groups.find((entry) => entry.groupId === group);
    return { state: description?.state ?? "Dead", members: description?.members ?? [] };
  } catch (error) {
    // Newer coordinators answer an unknown group with an error instead of the state Dead.
    if (hasProtocolError(error, "GROUP_ID_NOT_FOUND")) return { state: "Dead", members: [] };
    throw error;
  }
}
