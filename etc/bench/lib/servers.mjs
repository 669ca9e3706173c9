// Starts, inspects and stops the servers under test: this project's jar, the Node.js reference
// server and the bare Helidon handler (Ceiling.java). Every server listens on 127.0.0.1 only.
import { spawn, execFile, execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { openSync, readFileSync, closeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls the URL until any HTTP response arrives, or fails after timeoutMs. */
async function waitForHttp(url, proc, logFile, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) {
      throw new Error(`server exited with code ${proc.exitCode} before responding;`
        + ` log: ${logFile}\n${readFileSync(logFile, "utf8").slice(-2000)}`);
    }
    try {
      await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`server did not respond at ${url} within ${timeoutMs} ms; log: ${logFile}`);
}

/** Reads the resident set size of a process from /proc, in bytes. */
export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) {
    throw new Error(`VmRSS missing from /proc/${pid}/status`);
  }
  return Number(match[1]) * 1024;
}

let clockTicksPerSecond;

/** Reads the CPU time a process has used, user plus system, in seconds, from /proc. */
export function cpuSeconds(pid) {
  clockTicksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields from the third (state) on follow the command name, which is in brackets and may
  // contain spaces. utime and stime are the 14th and 15th fields.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

/**
 * Spawns a server process with stdout and stderr in logFile, waits until it responds to HTTP,
 * and returns a handle with its base URL, pid, stop(), rss(), cpuSeconds() and gc().
 */
async function launch({ name, command, args, env, port, logFile, readyPath, gc }) {
  const log = openSync(logFile, "a");
  const proc = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(baseUrl + readyPath, proc, logFile);
  return {
    name,
    baseUrl,
    pid: proc.pid,
    logFile,
    rss: () => rssBytes(proc.pid),
    cpuSeconds: () => cpuSeconds(proc.pid),
    gc: () => gc(proc),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        return;
      }
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGTERM");
      const forced = sleep(15000).then(() => "timeout");
      if ((await Promise.race([exited, forced])) === "timeout") {
        console.error(`warning: ${name} (pid ${proc.pid}) ignored SIGTERM for 15 s;`
          + " sending SIGKILL");
        proc.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/**
 * Starts this project's server jar.
 *
 * @param options.storage "memory" or "file"
 * @param options.durability "fsync", "interval" or "none", for the file store
 * @param options.dataDir data directory of the file store
 * @param options.jvmArgs extra JVM options, such as -XX:StartFlightRecording
 */
export async function startOurs({ repoDir, workDir, storage, durability, dataDir, longPollMs,
  jvmArgs = [], label }) {
  const port = await freePort();
  const javaHome = process.env.JAVA_HOME;
  const args = [
    ...jvmArgs,
    "-Dserver.host=127.0.0.1",
    `-Dserver.port=${port}`,
    `-Ddurable-streams.long-poll-timeout=PT${longPollMs / 1000}S`,
    `-Ddurable-streams.storage.type=${storage}`,
    // Scenarios 5 and 7 hold up to 10,000 live readers from one client address, in scenario 5
    // on one stream. The reference server has no limits on these, so neither has this one here.
    "-Ddurable-streams.limits.max-live-readers-per-stream=50000",
    "-Ddurable-streams.limits.max-connections=50000",
    "-Ddurable-streams.limits.max-connections-per-client=50000",
  ];
  if (storage === "file") {
    args.push(`-Ddurable-streams.storage.directory=${dataDir}`,
      `-Ddurable-streams.storage.durability=${durability}`);
  }
  args.push("-jar", join(repoDir, "target/durable-streams-server.jar"));
  return launch({
    name: `ours ${label}`,
    command: join(javaHome, "bin/java"),
    args,
    env: {},
    port,
    logFile: join(workDir, `ours-${label}.log`),
    readyPath: "/v1/stream/",
    gc: jvmGc,
  });
}

/** Runs a full GC in a JVM and returns its heap in use afterwards, in bytes. */
async function jvmGc(proc) {
  const jcmd = join(process.env.JAVA_HOME, "bin/jcmd");
  await execFileAsync(jcmd, [String(proc.pid), "GC.run"]);
  const { stdout } = await execFileAsync(jcmd, [String(proc.pid), "GC.heap_info"]);
  const match = / used (\d+)K/.exec(stdout);
  if (!match) {
    throw new Error(`no "used" figure in the output of jcmd GC.heap_info:\n${stdout}`);
  }
  return Number(match[1]) * 1024;
}

/** Starts the reference server; dataDir selects its file-backed store. */
export async function startReference({ benchDir, workDir, dataDir, longPollMs, label }) {
  const port = await freePort();
  const env = { PORT: String(port), LONG_POLL_MS: String(longPollMs) };
  if (dataDir) {
    env.DATA_DIR = dataDir;
  }
  const logFile = join(workDir, `reference-${label}.log`);
  return launch({
    name: `reference ${label}`,
    command: process.execPath,
    args: ["--expose-gc", join(benchDir, "reference-server.mjs")],
    env,
    port,
    logFile,
    readyPath: "/v1/stream/",
    // Returns the V8 heap in use plus the memory outside it, in bytes, after a full GC.
    gc: async (proc) => {
      const reports = () => [...readFileSync(logFile, "utf8")
        .matchAll(/^gc done: heapUsed (\d+) external (\d+)$/gm)];
      const before = reports().length;
      proc.kill("SIGUSR2");
      for (let i = 0; i < 100; i++) {
        await sleep(50);
        const after = reports();
        if (after.length > before) {
          const last = after[after.length - 1];
          return Number(last[1]) + Number(last[2]);
        }
      }
      throw new Error(`reference server did not report a GC within 5 s; log: ${logFile}`);
    },
  });
}

/** Starts the bare Helidon handler from Ceiling.java, run by the java source launcher. */
export async function startCeiling({ repoDir, benchDir, workDir }) {
  const port = await freePort();
  const javaHome = process.env.JAVA_HOME;
  return launch({
    name: "bare Helidon",
    command: join(javaHome, "bin/java"),
    args: ["-cp", join(repoDir, "target/libs/*"), join(benchDir, "Ceiling.java"), String(port)],
    env: {},
    port,
    logFile: join(workDir, "ceiling.log"),
    readyPath: "/",
    gc: jvmGc,
  });
}
