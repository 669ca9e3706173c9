// Profiles this server, or the bare Helidon handler (Ceiling.java) for comparison, with Java
// Flight Recorder under a small-append load or the SSE fan-out of scenario 5. It prints the top
// frames of the CPU and allocation samples, and for the fan-out where threads waited.
// Started by profile.sh.
// Usage: node profile.mjs [--server=ours|ceiling] [--load=1a|1b|1c|2|5]
//   [--store=memory|fsync|none] [--seconds=N] [--readers=N]
import os from "node:os";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startOurs, startCeiling } from "./lib/servers.mjs";
import { createStream, forEachLimited } from "./lib/http.mjs";
import { runWrk, warmUp, wrkMetrics } from "./scenarios/appends.mjs";
import { sseFanOut } from "./scenarios/sse-fanout.mjs";

const execFileAsync = promisify(execFile);
const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = join(benchDir, "../..");

const LOADS = {
  "1a": { connections: 1, streams: "one", kind: "text" },
  "1b": { connections: 32, streams: "per-connection", kind: "text" },
  "1c": { connections: 32, streams: "one", kind: "text" },
  "2": { connections: 32, streams: "one", kind: "json" },
  // Scenario 5: --readers SSE readers on one stream, one writer at 50 messages a second.
  "5": { sse: true },
};
const SSE_RATE_PER_SECOND = 50;
const STORES = {
  memory: { storage: "memory" },
  fsync: { storage: "file", durability: "fsync" },
  none: { storage: "file", durability: "none" },
};

function parseArgs(argv) {
  const options = { server: "ours", load: "1c", store: "memory", seconds: 15, readers: 1000 };
  for (const arg of argv) {
    const [name, value] = arg.split("=", 2);
    if (name === "--server" && (value === "ours" || value === "ceiling")) {
      options.server = value;
    } else if (name === "--load" && LOADS[value]) {
      options.load = value;
    } else if (name === "--store" && STORES[value]) {
      options.store = value;
    } else if (name === "--seconds" && Number(value) > 0 && Number(value) <= 120) {
      options.seconds = Number(value);
    } else if (name === "--readers" && Number.isInteger(Number(value)) && Number(value) > 0
        && Number(value) <= 50000) {
      options.readers = Number(value);
    } else {
      throw new Error(`invalid option "${arg}": use --server=ours|ceiling, --load=1a|1b|1c|2|5,`
        + " --store=memory|fsync|none, --seconds=1..120, --readers=1..50000");
    }
  }
  if (options.server === "ceiling" && LOADS[options.load].sse) {
    throw new Error("--load=5 needs --server=ours: the bare Helidon handler serves no streams");
  }
  return options;
}

/** Names a JFR stack frame as package.Class.method, with dots where jfr prints slashes. */
function frameName(frame) {
  return `${frame.method.type.name.replaceAll("/", ".")}.${frame.method.name}`;
}

function isOurs(name) {
  return name.startsWith("io.durablestreams.");
}

function packageGroup(name) {
  if (isOurs(name)) {
    return "io.durablestreams";
  }
  if (name.startsWith("io.helidon.")) {
    return "io.helidon";
  }
  if (/^(java|javax|jdk|sun)\./.test(name)) {
    return "JDK";
  }
  return "other";
}

function addTo(map, key, amount = 1) {
  map.set(key, (map.get(key) ?? 0) + amount);
}

function printTop(title, map, total, unit, limit = 20) {
  console.log(`\n${title}`);
  const rows = [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
  for (const [name, value] of rows) {
    const share = ((100 * value) / total).toFixed(1).padStart(5);
    console.log(`  ${share}%  ${unit(value).padStart(9)}  ${name}`);
  }
}

async function jfrEvents(jfr, file, event) {
  const { stdout } = await execFileAsync(jfr, ["print", "--json", "--events", event, file],
    { maxBuffer: 1024 * 1024 * 1024 });
  return JSON.parse(stdout).recording.events;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const javaHome = process.env.JAVA_HOME;
  const workDir = mkdtempSync(join(os.tmpdir(), "ds-profile-"));
  const resultsDir = join(benchDir, "results");
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const recording = join(resultsDir,
    `profile-${options.server}-${options.load}-${options.store}-${stamp}.jfr`);
  const ctx = {
    benchDir, repoDir, workDir, runId: `profile-${Date.now().toString(36)}`,
    wrk: process.env.WRK ?? "wrk", profile: { warmUpSeconds: 5 },
  };
  const server = options.server === "ceiling"
    ? await startCeiling({ repoDir, benchDir, workDir })
    : await startOurs({
      repoDir, workDir, longPollMs: 20000, label: options.store,
      dataDir: join(workDir, "data"), ...STORES[options.store],
    });
  server.label = options.server;
  try {
    await warmUp(server, ctx, { createStreams: options.server === "ours" });
    const load = LOADS[options.load];
    const path = `${ctx.runId}/load`;
    const contentType = load.kind === "json" ? "application/json" : "text/plain";
    const paths = load.streams === "per-connection"
      ? Array.from({ length: load.connections }, (_, i) => `${path}/s${i + 1}`)
      : [path];
    if (options.server === "ours" && !load.sse) {
      await forEachLimited(paths, 8, (p) => createStream(server.baseUrl, p, contentType));
    }

    const jcmd = join(javaHome, "bin/jcmd");
    await execFileAsync(jcmd, [String(server.pid), "JFR.start", "name=bench", "settings=profile"]);
    const target = options.server === "ceiling" ? "the bare Helidon handler"
      : `the ${options.store} store`;
    if (load.sse) {
      ctx.profile.sseMessages = options.seconds * SSE_RATE_PER_SECOND;
      ctx.profile.sseRatePerSecond = SSE_RATE_PER_SECOND;
      const result = await sseFanOut(server, ctx, { readers: options.readers });
      await execFileAsync(jcmd, [String(server.pid), "JFR.stop", "name=bench",
        `filename=${recording}`]);
      const { metrics } = result;
      console.log(`SSE fan-out to ${options.readers} readers on ${target},`
        + ` ${ctx.profile.sseMessages} messages at ${SSE_RATE_PER_SECOND}/s:`
        + ` p50 ${metrics["p50 ms"].toFixed(1)} ms, p99 ${metrics["p99 ms"].toFixed(1)} ms,`
        + ` delivered/expected ${metrics["delivered/expected"].toFixed(3)}`
        + ` (${result.verification.detail}). Recording: ${recording}`);
    } else {
      const summary = await runWrk({
        ctx, baseUrl: server.baseUrl, path, durationS: options.seconds, ...load,
      });
      await execFileAsync(jcmd, [String(server.pid), "JFR.stop", "name=bench",
        `filename=${recording}`]);
      const metrics = wrkMetrics(summary);
      console.log(`Load ${options.load} on ${target} for ${options.seconds} s:`
        + ` ${Math.round(metrics["req/s"])} req/s, p50 ${metrics["p50 ms"].toFixed(3)} ms,`
        + ` p99 ${metrics["p99 ms"].toFixed(2)} ms. Recording: ${recording}`);
    }
  } finally {
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }

  const jfr = join(javaHome, "bin/jfr");
  const samples = await jfrEvents(jfr, recording, "jdk.ExecutionSample");
  const leaf = new Map();
  const inclusive = new Map();
  const firstOurs = new Map();
  const groups = new Map();
  for (const sample of samples) {
    const frames = sample.values.stackTrace?.frames ?? [];
    if (frames.length === 0) {
      continue;
    }
    const names = frames.map(frameName);
    addTo(leaf, names[0]);
    addTo(groups, packageGroup(names[0]));
    for (const name of new Set(names)) {
      addTo(inclusive, name);
    }
    addTo(firstOurs, names.find(isOurs) ?? "(no io.durablestreams frame: Helidon or JDK only)");
  }
  const count = (v) => `${v}`;
  console.log(`\n${samples.length} CPU samples (jdk.ExecutionSample, Java frames only)`);
  printTop("Self time by package of the top frame:", groups, samples.length, count, 10);
  printTop("Top frames, self time:", leaf, samples.length, count, 25);
  printTop("Frames on the stack, inclusive time:", inclusive, samples.length, count, 40);
  printTop("Innermost io.durablestreams frame on the stack:", firstOurs, samples.length, count, 20);

  const allocations = await jfrEvents(jfr, recording, "jdk.ObjectAllocationSample");
  const allocatedBy = new Map();
  const allocatedTypes = new Map();
  let allocatedTotal = 0;
  for (const event of allocations) {
    const weight = event.values.weight ?? 0;
    const frames = event.values.stackTrace?.frames ?? [];
    allocatedTotal += weight;
    addTo(allocatedTypes, event.values.objectClass?.name ?? "?", weight);
    const names = frames.map(frameName);
    addTo(allocatedBy, names.find(isOurs) ?? names.find((n) => !/^(java|jdk|sun)\./.test(n))
      ?? names[0] ?? "?", weight);
  }
  const mib = (v) => `${(v / 1024 / 1024).toFixed(1)} MiB`;
  console.log(`\nAllocation samples: about ${mib(allocatedTotal)} allocated during the load`);
  printTop("Allocated by (innermost io.durablestreams frame, else first non-JDK frame):",
    allocatedBy, allocatedTotal, mib, 20);
  printTop("Allocated types:", allocatedTypes, allocatedTotal, mib, 15);
  if (LOADS[options.load].sse) {
    await printWaits(jfr, recording);
  }
}

// Events of threads that waited. The "profile" settings record them above a threshold: in
// JDK 25's lib/jfr/profile.jfc, 1 ms for file and socket reads and writes, 10 ms for parks,
// monitors and file forces, and 20 ms for pinned virtual threads.
const WAIT_EVENTS = ["jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.JavaMonitorWait",
  "jdk.FileForce", "jdk.FileWrite", "jdk.FileRead", "jdk.SocketWrite", "jdk.SocketRead",
  "jdk.VirtualThreadPinned"];

/** Prints the time threads spent waiting, by event type and by innermost project frame. */
async function printWaits(jfr, recording) {
  const events = await jfrEvents(jfr, recording, WAIT_EVENTS.join(","));
  const byType = new Map();
  const byFrame = new Map();
  let total = 0;
  for (const event of events) {
    const seconds = durationSeconds(event.values.duration);
    const names = (event.values.stackTrace?.frames ?? []).map(frameName);
    const frame = names.find(isOurs) ?? names.find((n) => !/^(java|jdk|sun)\./.test(n))
      ?? names[0] ?? "?";
    total += seconds;
    addTo(byType, event.type, seconds);
    addTo(byFrame, `${event.type.replace("jdk.", "")} in ${frame}`, seconds);
  }
  const secondsText = (v) => `${v.toFixed(1)} s`;
  console.log(`\n${events.length} waits above the recording's thresholds,`
    + ` ${secondsText(total)} in all (summed over threads)`);
  printTop("Wait time by event type:", byType, total, secondsText, 10);
  printTop("Wait time by event and innermost io.durablestreams frame (else first non-JDK frame):",
    byFrame, total, secondsText, 20);
}

/** Converts a duration that jfr print --json writes as ISO-8601 ("PT0.012S") to seconds. */
function durationSeconds(text) {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(text ?? "");
  if (!match) {
    return 0;
  }
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

main().catch((error) => {
  console.error(error.stack);
  process.exit(2);
});
