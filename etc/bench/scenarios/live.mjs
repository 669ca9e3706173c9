// Live-read scenarios: the long-poll round trip (4) and parked long-polls (7). The writer and
// reader of scenario 4 run in this process, so one performance.now() clock times both ends.
// Scenario 5, SSE fan-out, is in sse-fanout.mjs.
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { createStream, append, quantile, forEachLimited, STREAM_ROOT } from "../lib/http.mjs";
import { RECORD_BYTES, liveMessage } from "../lib/messages.mjs";

/** Splits received text into messages, and returns their numbers and the incomplete rest. */
function takeMessages(text) {
  const seqs = [];
  let at = 0;
  for (; at + RECORD_BYTES <= text.length; at += RECORD_BYTES) {
    const match = /^m(\d{6});\.+$/.exec(text.slice(at, at + RECORD_BYTES));
    seqs.push(match ? Number(match[1]) : -1);
  }
  return { seqs, rest: text.slice(at) };
}

/**
 * Scenario 4: one writer and one long-poll reader. The writer appends message i once the reader
 * has message i-1 and has had 2 ms to park its next long-poll. Latency runs from just before
 * the POST to the moment the reader has the response body.
 */
export async function longPollRoundTrip(server, ctx) {
  const count = ctx.profile.longPollMessages;
  const path = `${ctx.runId}/${server.label}/long-poll`;
  const tail = await createStream(server.baseUrl, path, "text/plain");
  const sendTimes = new Array(count);
  const arrivals = Array.from({ length: count }, () => {
    let resolve;
    const promise = new Promise((r) => { resolve = r; });
    return { promise, resolve, at: undefined };
  });
  const latencies = [];
  const problems = [];
  const abort = new AbortController();
  const deadline = performance.now() + 120000;

  const reader = (async () => {
    let offset = tail;
    let cursor = "";
    let pending = "";
    let received = 0;
    while (received < count && performance.now() < deadline) {
      const url = `${server.baseUrl}${STREAM_ROOT}${path}?offset=${encodeURIComponent(offset)}`
        + `&live=long-poll${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const response = await fetch(url, {
        headers: { "accept-encoding": "identity" },
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(ctx.longPollMs + 10000)]),
      });
      const body = await response.text();
      const now = performance.now();
      if (response.status !== 200 && response.status !== 204) {
        throw new Error(`long-poll on ${path} failed with status ${response.status}`);
      }
      offset = response.headers.get("stream-next-offset") ?? offset;
      cursor = response.headers.get("stream-cursor") ?? cursor;
      const { seqs, rest } = takeMessages(pending + body);
      pending = rest;
      for (const seq of seqs) {
        if (seq < 0 || seq >= count || arrivals[seq].at !== undefined) {
          problems.push(`unexpected or repeated message ${seq}`);
          continue;
        }
        arrivals[seq].at = now;
        latencies.push(now - sendTimes[seq]);
        received++;
        arrivals[seq].resolve();
      }
    }
  })();
  reader.catch(() => {});

  for (let i = 0; i < count && performance.now() < deadline; i++) {
    sendTimes[i] = performance.now();
    try {
      await append(server.baseUrl, path, "text/plain", liveMessage(i));
    } catch (e) {
      problems.push(`append ${i} failed: ${e.message}`);
      break;
    }
    const arrived = await Promise.race([
      arrivals[i].promise.then(() => true),
      sleep(ctx.longPollMs + 5000).then(() => false),
      reader.then(() => false),
    ]);
    if (!arrived) {
      problems.push(`message ${i} did not reach the reader`);
      break;
    }
    await sleep(2);
  }
  abort.abort();
  await reader.catch((e) => {
    if (e.name !== "AbortError") {
      problems.push(`reader failed: ${e.message}`);
    }
  });
  return {
    metrics: {
      "p50 ms": quantile(latencies, 0.5),
      "p99 ms": quantile(latencies, 0.99),
    },
    verification: {
      ok: problems.length === 0 && latencies.length === count,
      detail: `${latencies.length} of ${count} messages delivered`
        + (problems.length ? `; PROBLEMS: ${problems.slice(0, 3).join("; ")}` : ""),
    },
  };
}

/**
 * Scenario 7: N long-polls parked on N distinct streams. Measures the server's resident set and
 * heap in use after a full GC with and without them, and counts requests that returned before
 * the server's long-poll timeout. The heap is the JVM's heap in use (jcmd GC.heap_info) for
 * this server, and V8's heap in use plus memory outside it (Buffers) for the reference.
 */
export async function idleReaders(server, ctx, { readers, waitForTimeout }) {
  const base = `${ctx.runId}/${server.label}/idle-${readers}`;
  const paths = Array.from({ length: readers }, (_, i) => `${base}/i${i}`);
  const tails = new Array(readers);
  await forEachLimited(paths, 16, async (p, i) => {
    tails[i] = await createStream(server.baseUrl, p, "text/plain");
  });
  const baselineHeap = await server.gc();
  await sleep(500);
  const baseline = server.rss();

  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const sentAt = new Array(readers);
  const returns = [];
  let connected = 0;
  const requests = paths.map((p, i) => {
    sentAt[i] = performance.now();
    const request = http.get(
      `${server.baseUrl}${STREAM_ROOT}${p}?offset=${encodeURIComponent(tails[i])}&live=long-poll`,
      { agent, headers: { "accept-encoding": "identity" } },
      (response) => {
        returns.push({ status: response.statusCode, afterMs: performance.now() - sentAt[i] });
        response.resume();
      });
    request.on("socket", (socket) => socket.once("connect", () => connected++));
    request.on("error", () => {});
    return request;
  });
  const connectDeadline = performance.now() + 30000;
  while (connected < readers && performance.now() < connectDeadline) {
    await sleep(50);
  }
  await sleep(ctx.profile.idleSettleMs);
  const parkedHeap = await server.gc();
  await sleep(500);
  const parked = server.rss();
  const parkedForMs = performance.now() - Math.max(...sentAt);
  const earlyBeforeMeasure = returns.length;

  const problems = [];
  let detail;
  let early = earlyBeforeMeasure;
  if (waitForTimeout) {
    const deadline = performance.now() + ctx.longPollMs + 15000;
    while (returns.length < readers && performance.now() < deadline) {
      await sleep(100);
    }
    early = returns.filter((r) => r.afterMs < ctx.longPollMs - 1000).length;
    const notTimeout = returns.filter((r) => r.status !== 204).length;
    if (early > 0) {
      problems.push(`${early} returned more than 1 s before the long-poll timeout`);
    }
    if (notTimeout > 0 || returns.length < readers) {
      problems.push(`${notTimeout} returned a status other than 204,`
        + ` ${readers - returns.length} did not return`);
    }
    detail = `${connected} parked, ${returns.length - notTimeout} returned 204 at the timeout`;
  } else {
    if (early > 0) {
      problems.push(`${early} returned before ${Math.round(parkedForMs)} ms`);
    }
    detail = `${connected} parked, ${early} returned in the first`
      + ` ${(parkedForMs / 1000).toFixed(1)} s of the ${ctx.longPollMs / 1000} s timeout`
      + " (then cancelled)";
  }
  if (connected < readers) {
    problems.push(`${readers - connected} did not connect`);
  }
  for (const request of requests) {
    request.destroy();
  }
  agent.destroy();
  return {
    metrics: {
      "RSS KiB per parked request": (parked - baseline) / readers / 1024,
      "heap KiB per parked request": (parkedHeap - baselineHeap) / readers / 1024,
      "RSS MiB with all parked": parked / 1024 / 1024,
      "returned early": early,
    },
    verification: {
      ok: problems.length === 0,
      detail: detail + (problems.length ? `; PROBLEMS: ${problems.join("; ")}` : ""),
    },
  };
}
