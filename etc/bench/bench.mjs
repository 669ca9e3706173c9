// Runs the benchmark. It starts this server and the reference server side by side, with the same
// long-poll timeout and the same kind of store, and runs every scenario against both. Each append
// scenario is checked by reading the stream back. The results are printed as one Markdown table.
// Started by run.sh, which builds the jar, installs wrk and the reference server, and sets
// JAVA_HOME. Usage: node bench.mjs [--quick] [--only=1,2,...] [--passes=memory,fsync,none,idle]
//   [--sse-readers=N,M] [--idle-readers=N,M]
import os from "node:os";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startOurs, startReference, startCeiling } from "./lib/servers.mjs";
import { smallAppends, warmUp, runWrk, wrkMetrics } from "./scenarios/appends.mjs";
import { largeAppends } from "./scenarios/large.mjs";
import { catchUpRead } from "./scenarios/catchup.mjs";
import { longPollRoundTrip, idleReaders } from "./scenarios/live.mjs";
import { sseFanOut } from "./scenarios/sse-fanout.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = join(benchDir, "../..");

// Run sizes. wrkSeconds and wrkRounds: length and count of each wrk run (1, 2, 8).
// catchUpRepeats: timed reads per stream size in MiB (3). idleWaitMaxReaders: the largest
// parked-request count for which scenario 7 waits for every long-poll to time out, where larger
// counts are cancelled after the memory is measured. idleSettleMs: wait before measuring.
const PROFILES = {
  default: {
    wrkSeconds: 4, wrkRounds: 2, warmUpSeconds: 3, largeAppends: 50,
    catchUpRepeats: { 1: 20, 10: 5 }, longPollMessages: 500,
    sseReaders: [1000, 10000], sseMessages: 200, sseRatePerSecond: 50,
    idleReaders: [2000, 10000], idleWaitMaxReaders: 2000, idleSettleMs: 3000,
  },
  quick: {
    wrkSeconds: 2, wrkRounds: 1, warmUpSeconds: 2, largeAppends: 50,
    catchUpRepeats: { 1: 3, 10: 1 }, longPollMessages: 100,
    sseReaders: [200], sseMessages: 50, sseRatePerSecond: 50,
    idleReaders: [500], idleWaitMaxReaders: 0, idleSettleMs: 1500,
  },
};

// Passes, in run order: each starts both servers with one kind of store. The "none" pass runs
// only this server: the reference has no such mode, so its rows compare with the reference's
// file store from the "fsync" pass. The "idle" pass starts fresh in-memory servers, so that
// memory left over from the load scenarios does not blur the memory per parked request.
const PASSES = {
  memory: { label: "memory", ours: { storage: "memory" }, reference: { file: false } },
  fsync: { label: "file fsync / ref file", ours: { storage: "file", durability: "fsync" },
    reference: { file: true } },
  none: { label: "file none / ref file", ours: { storage: "file", durability: "none" },
    reference: null, referenceFrom: "fsync" },
  idle: { label: "memory, fresh servers", ours: { storage: "memory" },
    reference: { file: false } },
};

function parseArgs(argv) {
  const options = { quick: false, only: null, passes: Object.keys(PASSES) };
  for (const arg of argv) {
    const [name, value] = arg.split("=", 2);
    if (name === "--quick") {
      options.quick = true;
    } else if (name === "--only") {
      options.only = new Set(value.split(","));
    } else if (name === "--passes") {
      options.passes = value.split(",");
      for (const pass of options.passes) {
        if (!PASSES[pass]) {
          throw new Error(`invalid pass "${pass}" in --passes: use memory, fsync, none or idle`);
        }
      }
    } else if (name === "--sse-readers") {
      options.sseReaders = value.split(",").map(Number);
    } else if (name === "--idle-readers") {
      options.idleReaders = value.split(",").map(Number);
    } else {
      throw new Error(`unknown option "${arg}"; see etc/bench/README.md`);
    }
  }
  return options;
}

/**
 * Lists the scenarios in run order. Each has an id (for --only), a row label, the passes it
 * runs in, and run(server), which returns { metrics, verification }.
 */
function scenarios(ctx) {
  const p = ctx.profile;
  const appendPasses = ["memory", "fsync", "none"];
  const wrkScenario = (key, label, connections, streams, kind) => ({
    id: key.slice(0, 1), key, label, passes: appendPasses, rounds: p.wrkRounds,
    run: (s) => smallAppends(s, ctx, { key, connections, streams, kind }),
  });
  const list = [
    wrkScenario("1a", "1a small appends, 1 conn", 1, "one", "text"),
    wrkScenario("1b", "1b small appends, 32 conn / 32 streams", 32, "per-connection", "text"),
    wrkScenario("1c", "1c small appends, 32 conn / 1 stream", 32, "one", "text"),
    wrkScenario("2", "2 JSON appends, 32 conn / 1 stream", 32, "one", "json"),
    { id: "6", key: "6", label: `6 large appends, ${p.largeAppends} x 1 MiB`, passes: appendPasses,
      run: (s) => largeAppends(s, ctx) },
  ];
  for (const mib of [1, 10]) {
    list.push({ id: "3", key: `3-${mib}`, label: `3 catch-up read, ${mib} MiB`,
      passes: ["memory", "fsync"],
      run: (s) => catchUpRead(s, ctx, { mib, repeats: p.catchUpRepeats[mib] }) });
  }
  list.push({ id: "4", key: "4", label: `4 long-poll round trip, ${p.longPollMessages} msgs`,
    passes: ["memory", "fsync"], run: (s) => longPollRoundTrip(s, ctx) });
  for (const readers of ctx.sseReaders) {
    list.push({ id: "5", key: `5-${readers}`,
      label: `5 SSE fan-out, ${readers} readers, ${p.sseMessages} msgs @${p.sseRatePerSecond}/s`,
      passes: ["memory", "fsync"], run: (s) => sseFanOut(s, ctx, { readers }) });
  }
  for (const readers of ctx.idleReaders) {
    list.push({ id: "7", key: `7-${readers}`, label: `7 idle long-polls, ${readers}`,
      passes: ["idle"],
      run: (s) => idleReaders(s, ctx,
        { readers, waitForTimeout: readers <= p.idleWaitMaxReaders }) });
  }
  return list.filter((s) => !ctx.only || ctx.only.has(s.id));
}

/** Runs one scenario on one server. A failure becomes a failed check instead of a crash. */
async function attempt(scenario, server) {
  const started = Date.now();
  try {
    const result = await scenario.run(server);
    console.error(`  ${server.name}: ${scenario.label}: ${formatMetrics(result.metrics)}`
      + ` (${((Date.now() - started) / 1000).toFixed(1)} s; ${result.verification.detail})`);
    return result;
  } catch (error) {
    console.error(`  ${server.name}: ${scenario.label}: FAILED: ${error.stack}`);
    return { metrics: {}, verification: { ok: false, detail: `run failed: ${error.message}` } };
  }
}

/** Keeps the round with the higher request rate, and the failed check of any round. */
function better(previous, next) {
  if (!previous) {
    return next;
  }
  const best = (next.metrics["req/s"] ?? 0) > (previous.metrics["req/s"] ?? 0) ? next : previous;
  const failed = [previous, next].find((r) => !r.verification.ok);
  return { metrics: best.metrics, verification: failed ? failed.verification : best.verification };
}

function formatMetrics(metrics) {
  return Object.entries(metrics).map(([k, v]) => `${k} ${formatNumber(v)}`).join(", ");
}

function formatNumber(value) {
  if (value === undefined || Number.isNaN(value)) {
    return "-";
  }
  const magnitude = Math.abs(value);
  if (magnitude >= 100 || Number.isInteger(value)) {
    return Math.round(value).toLocaleString("en-US");
  }
  if (magnitude >= 10) {
    return value.toFixed(1);
  }
  if (magnitude >= 1) {
    return value.toFixed(2);
  }
  return value.toFixed(3);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const profile = PROFILES[options.quick ? "quick" : "default"];
  const workDir = mkdtempSync(join(os.tmpdir(), "ds-bench-"));
  const ctx = {
    benchDir, repoDir, workDir, profile,
    runId: `bench-${Date.now().toString(36)}`,
    wrk: process.env.WRK ?? "wrk",
    longPollMs: 20000,
    only: options.only,
    sseReaders: options.sseReaders ?? profile.sseReaders,
    idleReaders: options.idleReaders ?? profile.idleReaders,
  };
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  console.error(`Benchmark ${options.quick ? "(quick) " : ""}in ${workDir};`
    + ` load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")} on ${os.cpus().length} CPUs`);

  const running = new Set();
  const stopAll = async () => {
    await Promise.all([...running].map((s) => s.stop()));
    running.clear();
  };
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => stopAll().finally(() => process.exit(130)));
  }
  const start = async (promise) => {
    const server = await promise;
    running.add(server);
    return server;
  };

  // results[pass][scenarioKey] = { ours, reference }
  const results = {};
  const list = scenarios(ctx);
  for (const passName of options.passes) {
    const pass = PASSES[passName];
    const scenariosHere = list.filter((s) => s.passes.includes(passName));
    if (scenariosHere.length === 0) {
      continue;
    }
    console.error(`== Pass: ${pass.label}`);
    results[passName] = {};
    const dataDir = (who) => join(workDir, `data-${passName}-${who}`);
    const ours = await start(startOurs({
      repoDir, workDir, longPollMs: ctx.longPollMs, label: passName,
      dataDir: dataDir("ours"), ...pass.ours,
    }));
    ours.label = `ours-${passName}`;
    const servers = [ours];
    if (pass.reference) {
      const reference = await start(startReference({
        benchDir, workDir, longPollMs: ctx.longPollMs, label: passName,
        dataDir: pass.reference.file ? dataDir("reference") : undefined,
      }));
      reference.label = `reference-${passName}`;
      servers.push(reference);
    }
    const ceiling = passName === "memory" && (!ctx.only || ctx.only.has("8"))
      ? await start(startCeiling({ repoDir, benchDir, workDir }))
      : null;

    if (scenariosHere.some((s) => s.id === "1" || s.id === "2")) {
      for (const server of servers) {
        await warmUp(server, ctx);
      }
    }
    for (const scenario of scenariosHere) {
      // Rounds alternate between the servers, and each server's best round counts, so that a
      // burst of load from elsewhere on the machine hits one round rather than one server.
      const entry = {};
      for (let round = 0; round < (scenario.rounds ?? 1); round++) {
        for (const server of servers) {
          const role = server === ours ? "ours" : "reference";
          entry[role] = better(entry[role], await attempt(scenario, server));
        }
      }
      results[passName][scenario.key] = entry;
    }
    if (ceiling) {
      // Scenario 8: the same load as 1a and 1b on a handler that does nothing but read the body.
      await warmUp(ceiling, ctx, { createStreams: false });
      for (const [key, connections] of [["1a", 1], ["1b", 32]]) {
        let best;
        for (let round = 0; round < profile.wrkRounds; round++) {
          const summary = await runWrk({
            ctx, baseUrl: ceiling.baseUrl, path: `ceiling/${key}`, connections,
            streams: "per-connection", kind: "text", durationS: profile.wrkSeconds,
          });
          const metrics = wrkMetrics(summary);
          console.error(`  bare Helidon: ${connections} conn: ${formatMetrics(metrics)}`);
          best = better(best, { metrics, verification: { ok: true } });
        }
        results.memory[`8-${key}`] = { ceiling: best };
      }
    }
    await stopAll();
    rmSync(dataDir("ours"), { recursive: true, force: true });
    rmSync(dataDir("reference"), { recursive: true, force: true });
  }

  const { table, checks, failed } = render(results, list, options.passes);
  const loadAfter = os.loadavg();
  const header = `Durable Streams benchmark, ${options.quick ? "quick" : "default"} run,`
    + ` ${startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC,`
    + ` ${Math.round((Date.now() - startedAt) / 1000)} s; ${os.cpus().length} CPUs`
    + ` (${os.cpus()[0].model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB;`
    + ` load average before ${loadBefore[0].toFixed(2)}, after ${loadAfter[0].toFixed(2)}`;
  const output = `${header}\n\n${table}\n\nRead-back checks:\n${checks}\n`;
  console.log(output);
  const resultsDir = join(benchDir, "results");
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, "-")}.md`);
  writeFileSync(file, output);
  console.error(`Table written to ${file}; server logs in ${workDir}`);
  process.exitCode = failed ? 1 : 0;
}

/** Builds the Markdown table and the list of read-back checks. */
function render(results, list, passes) {
  const rows = [["scenario", "metric", "ours", "reference", "ratio"]];
  const checks = [];
  let failed = false;
  // A value marked "!" comes from a run whose check failed: see the list under the table.
  const addRow = (label, metric, ours, reference, oursFailed, referenceFailed) => {
    const ratio = ours !== undefined && reference ? ours / reference : undefined;
    rows.push([label, metric, formatNumber(ours) + (oursFailed ? " !" : ""),
      formatNumber(reference) + (referenceFailed ? " !" : ""),
      ratio === undefined ? "-" : ratio.toFixed(2)]);
  };
  for (const passName of passes) {
    const pass = PASSES[passName];
    const passResults = results[passName];
    if (!passResults) {
      continue;
    }
    for (const scenario of list) {
      const entry = passResults[scenario.key];
      if (!entry) {
        continue;
      }
      const reference = pass.referenceFrom
        ? results[pass.referenceFrom]?.[scenario.key]?.reference
        : entry.reference;
      const metrics = new Set([...Object.keys(entry.ours?.metrics ?? {}),
        ...Object.keys(reference?.metrics ?? {})]);
      const label = `${scenario.label} [${pass.label}]`;
      for (const [role, result] of [["ours", entry.ours], ["reference", entry.reference]]) {
        if (result) {
          checks.push(`- ${result.verification.ok ? "ok  " : "FAIL"} ${label}, ${role}:`
            + ` ${result.verification.detail}`);
        }
      }
      // Only this server's checks decide the exit status; the reference's are reported.
      failed ||= entry.ours ? !entry.ours.verification.ok : false;
      for (const metric of metrics) {
        addRow(label, metric, entry.ours?.metrics?.[metric], reference?.metrics?.[metric],
          entry.ours && !entry.ours.verification.ok, reference && !reference.verification.ok);
      }
    }
  }
  for (const [key, name] of [["1a", "1 conn"], ["1b", "32 conn"]]) {
    const ceiling = results.memory?.[`8-${key}`]?.ceiling;
    const ours = results.memory?.[key]?.ours;
    if (ceiling && ours) {
      for (const metric of ["req/s", "p50 ms", "p99 ms"]) {
        addRow(`8 ceiling, ${name}: ours ${key} vs bare Helidon 204 (in reference column)`,
          metric, ours.metrics[metric], ceiling.metrics[metric], false, false);
      }
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => `| ${r.map((cell, c) => (c >= 2 ? cell.padStart(widths[c])
    : cell.padEnd(widths[c]))).join(" | ")} |`;
  const separator = `|${widths.map((w, c) => (c >= 2 ? `${"-".repeat(w + 1)}:`
    : "-".repeat(w + 2))).join("|")}|`;
  const table = [line(rows[0]), separator, ...rows.slice(1).map(line)].join("\n");
  return { table, checks: checks.join("\n"), failed };
}

main().catch((error) => {
  console.error(error.stack);
  process.exit(2);
});
