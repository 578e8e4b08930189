// Next.js calls register() once when a server process starts. Starting the runtime here
// (fleet simulator, job queue, workers) means approved actions execute even before the
// first page is opened. Never during `next build`, and never in the Edge runtime.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  try {
    const { getRuntime } = await import("./server/runtime");
    await getRuntime();
    console.log("[scaleplane] runtime started: simulator, job queue and workers");
  } catch (error) {
    // The server still serves pages; getRuntime() is retried by the next request that needs it.
    console.error("[scaleplane] runtime failed to start; the next request retries:", error);
  }
}
