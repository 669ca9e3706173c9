// Small appends under wrk (scenarios 1, 2 and 8): 100-byte POSTs from N connections, to one
// stream or to one stream per connection, then a read-back that checks every acknowledged
// append is stored exactly once.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { createStream, readAll, forEachLimited } from "../lib/http.mjs";

const execFileAsync = promisify(execFile);
const TEXT_RECORD = /^(w(\d{3})-\d{8});\.{85}\n$/;
const RECORD_BYTES = 100;
let runCount = 0;

/**
 * Runs wrk with one thread per connection and the append.lua script, and returns wrk's summary
 * from the script's BENCH_JSON line.
 */
export async function runWrk({ ctx, baseUrl, path, connections, streams, kind, durationS,
  ackDir }) {
  const args = [
    `-t${connections}`, `-c${connections}`, `-d${durationS}s`, "--timeout", "10s",
    "-s", join(ctx.benchDir, "append.lua"), baseUrl + "/",
  ];
  const env = {
    ...process.env,
    BENCH_PATH: "/v1/stream/" + path,
    BENCH_STREAMS: streams,
    BENCH_KIND: kind,
    BENCH_ACK_DIR: ackDir ?? "",
  };
  // wrk ends by itself after durationS. The timeout only guards against a hung wrk.
  const { stdout } = await execFileAsync(ctx.wrk, args, {
    env, timeout: (durationS + 60) * 1000, maxBuffer: 16 * 1024 * 1024,
  });
  const line = stdout.split("\n").find((l) => l.startsWith("BENCH_JSON "));
  if (!line) {
    throw new Error(`wrk printed no BENCH_JSON line; its output:\n${stdout}`);
  }
  return JSON.parse(line.slice("BENCH_JSON ".length));
}

/** Reads the ids that wrk threads recorded as acknowledged. */
function readAcks(ackDir) {
  const acked = new Set();
  for (const file of readdirSync(ackDir)) {
    for (const id of readFileSync(join(ackDir, file), "utf8").split("\n")) {
      if (id) {
        acked.add(id);
      }
    }
  }
  return acked;
}

/** Splits a text stream's bytes into 100-byte records and returns their ids. */
function textIds(bytes, problems, expectedWriter) {
  const ids = [];
  if (bytes.length % RECORD_BYTES !== 0) {
    problems.push(`stream length ${bytes.length} is not a multiple of ${RECORD_BYTES}`);
  }
  for (let at = 0; at + RECORD_BYTES <= bytes.length; at += RECORD_BYTES) {
    const record = bytes.toString("latin1", at, at + RECORD_BYTES);
    const match = TEXT_RECORD.exec(record);
    if (!match) {
      problems.push(`malformed record at byte ${at}: ${JSON.stringify(record.slice(0, 40))}`);
      continue;
    }
    if (expectedWriter !== undefined && Number(match[2]) !== expectedWriter) {
      problems.push(`record ${match[1]} is in the stream of connection ${expectedWriter}`);
    }
    ids.push(match[1]);
  }
  return ids;
}

/** Parses each page of a JSON stream as an array of messages and returns their ids. */
function jsonIds(pages, problems) {
  const ids = [];
  for (const page of pages) {
    let messages;
    try {
      messages = JSON.parse(page.toString("utf8"));
    } catch (e) {
      problems.push(`page is not valid JSON: ${e.message}`);
      continue;
    }
    if (!Array.isArray(messages)) {
      problems.push("page is not a JSON array");
      continue;
    }
    for (const message of messages) {
      if (typeof message?.id !== "string") {
        problems.push(`message without an id: ${JSON.stringify(message).slice(0, 60)}`);
        continue;
      }
      ids.push(message.id);
    }
  }
  return ids;
}

/**
 * Checks that every acknowledged id is stored exactly once, that nothing is stored twice, and
 * that at most one unacknowledged append per connection is stored (the request in flight when
 * wrk stopped).
 */
export function checkIds(storedIds, acked, connections, extraProblems = []) {
  const problems = [...extraProblems];

  const seen = new Set();
  let duplicates = 0;
  for (const id of storedIds) {
    if (seen.has(id)) {
      duplicates++;
    }
    seen.add(id);
  }
  if (duplicates > 0) {
    problems.push(`${duplicates} appends stored more than once`);
  }

  let missing = 0;
  for (const id of acked) {
    if (!seen.has(id)) {
      missing++;
    }
  }
  if (missing > 0) {
    problems.push(`${missing} of ${acked.size} acknowledged appends are missing`);
  }

  let unacknowledged = 0;
  for (const id of seen) {
    if (!acked.has(id)) {
      unacknowledged++;
    }
  }
  if (unacknowledged > connections) {
    problems.push(`${unacknowledged} unacknowledged appends are stored, more than the`
      + ` ${connections} that can be in flight when wrk stops`);
  }

  return {
    ok: problems.length === 0,
    detail: `${acked.size} acknowledged, ${seen.size} stored once, ${unacknowledged} stored`
      + ` without acknowledgement (in flight at stop)`
      + (problems.length ? `; PROBLEMS: ${problems.slice(0, 5).join("; ")}` : ""),
  };
}

/**
 * Scenario: wrk appends of 100-byte messages.
 *
 * @param options.streams "one" or "per-connection"
 * @param options.kind "text" or "json"
 * @returns metrics (req/s, p50 ms, p99 ms) and the read-back verification
 */
export async function smallAppends(server, ctx, { key, connections, streams, kind }) {
  // A new stream per run, so that a second round reads back only its own appends.
  const path = `${ctx.runId}/${server.label}/${key}-${++runCount}`;
  const contentType = kind === "json" ? "application/json" : "text/plain";
  const paths = streams === "per-connection"
    ? Array.from({ length: connections }, (_, i) => `${path}/s${i + 1}`)
    : [path];
  await forEachLimited(paths, 8, (p) => createStream(server.baseUrl, p, contentType));

  const ackDir = mkdtempSync(join(ctx.workDir, "acks-"));
  const summary = await runWrk({
    ctx, baseUrl: server.baseUrl, path, connections, streams, kind,
    durationS: ctx.profile.wrkSeconds, ackDir,
  });
  const metrics = wrkMetrics(summary);

  const acked = readAcks(ackDir);
  rmSync(ackDir, { recursive: true, force: true });
  const problems = [];
  if (summary.status_errors > 0) {
    problems.push(`${summary.status_errors} responses had a non-2xx status`);
  }
  let stored = [];
  for (const [index, p] of paths.entries()) {
    const { pages } = await readAll(server.baseUrl, p);
    if (kind === "json") {
      stored = stored.concat(jsonIds(pages, problems));
    } else {
      const writer = streams === "per-connection" ? index + 1 : undefined;
      stored = stored.concat(textIds(Buffer.concat(pages), problems, writer));
    }
  }
  return { metrics, verification: checkIds(stored, acked, connections, problems) };
}

/** Converts wrk's summary to the table's metrics. */
export function wrkMetrics(summary) {
  return {
    "req/s": summary.requests / (summary.duration_us / 1e6),
    "p50 ms": summary.p50_us / 1000,
    "p99 ms": summary.p99_us / 1000,
  };
}

/**
 * Runs a short wrk load that records nothing, so that JIT compilation settles first.
 *
 * @param options.createStreams false for the bare Helidon handler, which has no streams
 */
export async function warmUp(server, ctx, { createStreams = true } = {}) {
  const path = `${ctx.runId}/${server.label}/warm-up`;
  const connections = 16;
  if (createStreams) {
    await forEachLimited(Array.from({ length: connections }, (_, i) => `${path}/s${i + 1}`), 8,
      (p) => createStream(server.baseUrl, p, "text/plain"));
  }
  await runWrk({
    ctx, baseUrl: server.baseUrl, path, connections, streams: "per-connection", kind: "text",
    durationS: ctx.profile.warmUpSeconds,
  });
}
