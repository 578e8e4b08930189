// Some changes take effect seconds after the system accepted them (a Sentinel promotes a replica,
// a controller observes a new generation). Verification reads again until the change shows.

export interface ReadUntilOptions {
  /** Stops waiting (the app shuts down); the last read is answered. */
  signal: AbortSignal;
  timeoutMs: number;
}

const FIRST_PAUSE_MS = 100;
const LONGEST_PAUSE_MS = 2000;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** Reads until `settled` holds, the time is up or `signal` aborts; answers the last read. */
export async function readUntil<T>(read: () => Promise<T>, settled: (value: T) => boolean, { signal, timeoutMs }: ReadUntilOptions): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let pauseMs = FIRST_PAUSE_MS;
  for (;;) {
    const value = await read();
    if (settled(value) || signal.aborted || Date.now() + pauseMs > deadline) return value;
    await pause(pauseMs, signal);
    pauseMs = Math.min(pauseMs * 2, LONGEST_PAUSE_MS);
  }
}
