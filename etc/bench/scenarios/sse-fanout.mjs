// Scenario 5, SSE fan-out: N SSE readers on one stream from its tail, and one writer that
// appends messages at a fixed rate. The writer and the readers run in worker threads, the
// readers spread over up to one thread per CPU, so that neither waits for the other's event
// loop. Latency runs from just before each POST to the read that brings the message to a
// reader, on one monotonic clock shared by the threads.
import os from "node:os";
import { Worker } from "node:worker_threads";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { createStream, quantile, STREAM_ROOT } from "../lib/http.mjs";
import { COUNTERS_PER_WORKER, OPENED, FAILED_OPENS, DELIVERED } from "./sse-readers-worker.mjs";

const READERS_WORKER = new URL("./sse-readers-worker.mjs", import.meta.url);
const WRITER_WORKER = new URL("./sse-writer-worker.mjs", import.meta.url);
// Readers per reader thread before a second thread is used, up to one thread per CPU.
const READERS_PER_THREAD = 1000;
// Readers opened together, then a pause, so that connections arrive at about 10,000 a second.
const OPEN_BATCH = 100;
const OPEN_PAUSE_MS = 10;
// Time after the writer's last append for the readers to receive the rest.
const DRAIN_MS = 3000;
// Bound on a worker's reply to "stop".
const STOP_TIMEOUT_MS = 10000;

/** Starts a worker and returns it with a queue of its messages and its error, if any. */
function startWorker(url, workerData) {
  const worker = new Worker(url, { workerData });
  const state = { worker, messages: [], error: null, exited: false };
  worker.on("message", (message) => state.messages.push(message));
  worker.on("error", (error) => { state.error = error; });
  worker.on("exit", () => { state.exited = true; });
  return state;
}

/** Waits until the worker has sent a message of this type; returns it, or null at the timeout. */
async function awaitMessage(state, type, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const message = state.messages.find((m) => m.type === type);
    if (message) {
      return message;
    }
    if (state.error || state.exited) {
      return null;
    }
    await sleep(20);
  }
  return null;
}

function sumCounter(counters, threads, counter) {
  let sum = 0;
  for (let t = 0; t < threads; t++) {
    sum += Atomics.load(counters, t * COUNTERS_PER_WORKER + counter);
  }
  return sum;
}

/**
 * Runs scenario 5 on one server and returns its latency quantiles and delivered/expected. The
 * check passes when every reader received every message exactly once and in order.
 */
export async function sseFanOut(server, ctx, { readers }) {
  const count = ctx.profile.sseMessages;
  const intervalMs = 1000 / ctx.profile.sseRatePerSecond;
  const path = `${ctx.runId}/${server.label}/sse-${readers}`;
  const tail = await createStream(server.baseUrl, path, "text/plain");
  const threads = Math.max(1, Math.min(os.availableParallelism(),
    Math.ceil(readers / READERS_PER_THREAD)));
  const run = {
    server, path, readers, count, intervalMs, threads,
    clockBase: process.hrtime.bigint(),
    arrivals: new Float64Array(new SharedArrayBuffer(readers * count * 8)).fill(NaN),
    sendTimes: new Float64Array(new SharedArrayBuffer(count * 8)).fill(NaN),
    counters: new Int32Array(new SharedArrayBuffer(threads * COUNTERS_PER_WORKER * 4)),
    openTimeoutMs: 20000 + readers,
    // The writer's own deadline (twice the planned time plus 3 s) and 10 s for its last POST.
    writeTimeoutMs: 2 * count * intervalMs + 3000 + 10000,
    problems: [],
    // How busy the server and the client were while the writer ran, for the check's detail.
    load: { serverCores: NaN, slowestAppendMs: NaN },
    stats: [],
  };
  const workers = startWorkers(run, tail);
  try {
    await openWriteAndDrain(run, workers);
  } finally {
    await stopWorkers(run, workers);
  }
  return summarize(run);
}

/** Starts the writer thread and the reader threads, which open their readers at once. */
function startWorkers(run, tail) {
  const { hostname, port } = new URL(run.server.baseUrl);
  const requestPath = `${STREAM_ROOT}${run.path}?offset=${encodeURIComponent(tail)}&live=sse`;
  const lifetimeMs = run.openTimeoutMs + 500 + run.writeTimeoutMs + DRAIN_MS + 30000;
  const writer = startWorker(WRITER_WORKER, {
    role: "sse-writer", baseUrl: run.server.baseUrl, path: run.path, messageCount: run.count,
    intervalMs: run.intervalMs, startWithinMs: run.openTimeoutMs + 5000,
    clockBase: run.clockBase, sendTimes: run.sendTimes,
  });
  const readerThreads = [];
  for (let t = 0; t < run.threads; t++) {
    const first = Math.floor((run.readers * t) / run.threads);
    const end = Math.floor((run.readers * (t + 1)) / run.threads);
    readerThreads.push(startWorker(READERS_WORKER, {
      role: "sse-readers", host: hostname, port: Number(port), requestPath,
      firstReader: first, readerCount: end - first, messageCount: run.count,
      openBatch: Math.ceil(OPEN_BATCH / run.threads), openPauseMs: OPEN_PAUSE_MS, lifetimeMs,
      clockBase: run.clockBase, arrivals: run.arrivals, counters: run.counters, workerIndex: t,
    }));
  }
  return { writer, readerThreads };
}

/**
 * Waits for the readers to open, has the writer append on its schedule, and then gives the
 * readers DRAIN_MS to receive the rest.
 */
async function openWriteAndDrain(run, { writer, readerThreads }) {
  const { counters, threads, problems } = run;
  const openDeadline = performance.now() + run.openTimeoutMs;
  while (sumCounter(counters, threads, OPENED) + sumCounter(counters, threads, FAILED_OPENS)
      < run.readers && performance.now() < openDeadline
      && !readerThreads.some((r) => r.error || r.exited)) {
    await sleep(50);
  }
  await sleep(500);

  if (await awaitMessage(writer, "ready", 10000)) {
    writer.worker.postMessage({ type: "start" });
  } else {
    problems.push("the writer was not ready within 10 s"
      + (writer.error ? `: ${writer.error.message}` : ""));
  }
  for (const r of readerThreads) {
    r.worker.postMessage({ type: "measure" });
  }
  const cpuBefore = run.server.cpuSeconds();
  const writeStarted = performance.now();
  const written = await awaitMessage(writer, "done", run.writeTimeoutMs);
  run.load.serverCores = (run.server.cpuSeconds() - cpuBefore)
    / ((performance.now() - writeStarted) / 1000);
  if (written) {
    run.load.slowestAppendMs = written.slowestAppendMs;
    problems.push(...written.problems);
  } else {
    problems.push(`the writer did not finish within ${run.writeTimeoutMs} ms`
      + (writer.error ? `: ${writer.error.message}` : ""));
  }

  const expected = run.readers * run.count;
  const drainDeadline = performance.now() + DRAIN_MS;
  while (sumCounter(counters, threads, DELIVERED) < expected
      && performance.now() < drainDeadline) {
    await sleep(50);
  }
}

/** Stops the reader threads, collects their counts into run.stats, and ends every thread. */
async function stopWorkers(run, { writer, readerThreads }) {
  for (const r of readerThreads) {
    r.worker.postMessage({ type: "stop" });
  }
  for (const r of readerThreads) {
    const done = await awaitMessage(r, "done", STOP_TIMEOUT_MS);
    if (done) {
      run.stats.push(done.stats);
    } else {
      run.problems.push("a reader thread did not report"
        + (r.error ? `: ${r.error.message}` : ` within ${STOP_TIMEOUT_MS} ms`));
    }
  }
  await Promise.all([writer, ...readerThreads].map(async (w) => {
    if (!w.exited) {
      const exited = once(w.worker, "exit");
      await w.worker.terminate();
      await exited.catch(() => {});
    }
  }));
}

/**
 * Returns the latency of every delivery, arrival minus send time, and counts the arrivals of
 * messages that were never sent or that came before their POST started.
 */
function collectLatencies({ readers, count, arrivals, sendTimes }) {
  const latencies = new Float64Array(readers * count);
  let delivered = 0;
  let unsent = 0;
  let beforeSend = 0;
  for (let r = 0; r < readers; r++) {
    for (let s = 0; s < count; s++) {
      const arrived = arrivals[r * count + s];
      if (Number.isNaN(arrived)) {
        continue;
      }
      const latency = arrived - sendTimes[s];
      if (Number.isNaN(latency)) {
        unsent++;
      } else if (latency < 0) {
        beforeSend++;
      } else {
        latencies[delivered++] = latency;
      }
    }
  }
  return { latencies: latencies.subarray(0, delivered), unsent, beforeSend };
}

const PROBLEM_LABELS = {
  malformed: "malformed messages",
  duplicates: "repeated messages",
  outOfOrder: "messages out of order",
  badStatus: "responses other than 200",
  connectErrors: "failed connections",
  endedEarly: "responses that ended early",
  protocol: "HTTP framing errors",
};

/** Builds the metrics and the delivery check from the shared arrays and the threads' counts. */
function summarize(run) {
  const { readers, count, counters, threads, stats, problems, load } = run;
  const opened = sumCounter(counters, threads, OPENED);
  const { latencies, unsent, beforeSend } = collectLatencies(run);
  const delivered = latencies.length;
  const expected = readers * count;

  if (opened < readers) {
    problems.push(`${readers - opened} readers did not get a 200 response`);
  }
  if (unsent + beforeSend > 0) {
    problems.push(`${unsent} deliveries of messages never sent and ${beforeSend}`
      + " that arrived before their POST");
  }
  for (const [name, label] of Object.entries(PROBLEM_LABELS)) {
    const total = stats.reduce((sum, s) => sum + s[name].count, 0);
    if (total > 0) {
      const example = stats.find((s) => s[name].example)?.[name].example;
      problems.push(`${total} ${label} (first: ${example})`);
    }
  }
  const lifetimeStops = stats.filter((s) => s.stoppedBy !== "the parent").length;
  if (lifetimeStops > 0) {
    problems.push(`${lifetimeStops} reader threads stopped at their own time limit`);
  }

  const busy = stats.map((s) => `${Math.round(s.busy * 100)} %`).join(" and ");
  return {
    metrics: {
      "p50 ms": quantile(latencies, 0.5),
      "p99 ms": quantile(latencies, 0.99),
      "delivered/expected": delivered / expected,
    },
    verification: {
      ok: problems.length === 0 && delivered === expected,
      detail: `${delivered} of ${expected} deliveries to ${opened} readers;`
        + ` while writing, the server used ${load.serverCores.toFixed(2)} cores,`
        + ` the slowest append took ${Math.round(load.slowestAppendMs)} ms,`
        + ` and the reader threads were busy ${busy} of the time`
        + (problems.length ? `; PROBLEMS: ${problems.join("; ")}` : ""),
    },
  };
}
