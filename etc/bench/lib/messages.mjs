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
  const offset = Number(process.hrtime.bigint() - base) / 1e6 - performance.now();
  return () => performance.now() + offset;
}
