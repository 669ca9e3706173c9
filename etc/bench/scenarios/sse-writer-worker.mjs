// Worker thread of scenario 5 (SSE fan-out): the writer. It runs apart from the readers, so that
// the time they spend on their events cannot delay its schedule.
//
// workerData: baseUrl, path, messageCount, intervalMs, startWithinMs, clockBase, and sendTimes,
// a shared Float64Array that receives the time just before each POST, in ms on the
// clockSince(clockBase) clock. Messages: the worker sends { type: "ready" } once warmed up,
// waits for { type: "start" }, and replies { type: "done", appended, slowestAppendMs, problems },
// where slowestAppendMs is the longest POST from request to response.
import { once } from "node:events";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { setTimeout as sleep } from "node:timers/promises";
import { append, STREAM_ROOT, REQUEST_TIMEOUT_MS } from "../lib/http.mjs";
import { clockSince, liveMessage } from "../lib/messages.mjs";

async function main() {
  const { baseUrl, path, messageCount, intervalMs, startWithinMs, clockBase, sendTimes } =
    workerData;
  const now = clockSince(clockBase);
  const problems = [];
  let appended = 0;
  let slowestAppendMs = 0;

  // One request before the schedule, so that the first append does not pay for setting up fetch.
  const warmUp = await fetch(baseUrl + STREAM_ROOT + path, {
    method: "HEAD", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await warmUp.arrayBuffer();
  parentPort.postMessage({ type: "ready" });
  const start = once(parentPort, "message").then(([message]) => message.type === "start");
  const startedInTime = await Promise.race([start, sleep(startWithinMs).then(() => false)]);
  if (!startedInTime) {
    problems.push(`no start message within ${startWithinMs} ms`);
  } else {
    // A server that falls behind gets twice the planned time plus 3 s. The messages left unsent
    // then count as undelivered.
    const started = now();
    const deadline = started + 2 * messageCount * intervalMs + 3000;
    for (let i = 0; i < messageCount; i++) {
      const wait = started + i * intervalMs - now();
      if (wait > 0) {
        await sleep(wait);
      }
      if (now() > deadline) {
        problems.push(`the writer stopped at the deadline after ${appended} of ${messageCount}`
          + " appends");
        break;
      }
      sendTimes[i] = now();
      try {
        await append(baseUrl, path, "text/plain", liveMessage(i));
      } catch (e) {
        // fetch reports a network error as "fetch failed", with the socket's error as the cause.
        const cause = e.cause ? ` (${e.cause.code ?? e.cause.message})` : "";
        problems.push(`append ${i} failed: ${e.message}${cause}`);
        break;
      }
      slowestAppendMs = Math.max(slowestAppendMs, now() - sendTimes[i]);
      appended++;
    }
  }
  parentPort.postMessage({ type: "done", appended, slowestAppendMs, problems });
  parentPort.close();
}

if (!isMainThread && workerData?.role === "sse-writer") {
  await main();
}
