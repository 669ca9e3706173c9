// The 100-byte text messages of the live scenarios (4 and 5), and the clock that times them
// across worker threads.

export const RECORD_BYTES = 100;

/** Builds the 100-byte text message number `seq`. It has no line break, so SSE keeps it whole. */
export function liveMessage(seq) {
  const prefix = `m${String(seq).padStart(6, "0")};`;
  return prefix + ".".repeat(RECORD_BYTES - prefix.length);
}

/**
 * Returns a function that gives milliseconds since `base`, a process.hrtime.bigint() reading.
 * process.hrtime and performance.now() read the same monotonic clock, so readings from different
 * worker threads given the same base compare directly. performance.now() avoids a BigInt per call.
 */
export function clockSince(base) {
  // The offset between the two comes from the pair of performance.now() readings closest around
  // an hrtime reading, so that a thread preempted between two readings cannot skew it.
  let offset = 0;
  let narrowest = Infinity;
  for (let i = 0; i < 50; i++) {
    const before = performance.now();
    const since = Number(process.hrtime.bigint() - base) / 1e6;
    const after = performance.now();
    if (after - before < narrowest) {
      narrowest = after - before;
      offset = since - (before + after) / 2;
    }
  }
  return () => performance.now() + offset;
}
