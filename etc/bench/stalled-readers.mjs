// Load check for slow clients: many SSE readers on one stream, some of which never read, while
// a writer appends steadily. Prints, every few seconds, how many events the reading clients got
// and the server's resident memory, so one can see that the stalled clients neither stop the
// others nor make memory grow. Loopback only; bounded in readers, appends and time.
//
// Usage: node etc/bench/stalled-readers.mjs PORT SERVER_PID [readers] [stalled] [seconds]
import http from "node:http";
import net from "node:net";
import { readFileSync } from "node:fs";

const [port, pid, readers = "5000", stalled = "100", seconds = "40"] = process.argv.slice(2);
if (!port || !pid) {
  console.error("usage: node stalled-readers.mjs PORT SERVER_PID [readers] [stalled] [seconds]");
  process.exit(2);
}
const host = "127.0.0.1";
const path = `/v1/stream/stalled-check-${Date.now()}`;
const readerCount = Number(readers);
const stalledCount = Number(stalled);
const durationMs = Number(seconds) * 1000;
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

function request(method, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path, method, agent,
      headers: { "content-type": "text/plain" }, timeout: 10000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

function rssMiB() {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

await request("PUT", "");
let delivered = 0;
let openReaders = 0;
for (let i = 0; i < readerCount - stalledCount; i++) {
  http.get({ host, port, path: `${path}?offset=now&live=sse`, agent }, (res) => {
    openReaders++;
    res.on("data", (chunk) => {
      delivered += chunk.toString().split("event: data").length - 1;
    });
    res.on("end", () => openReaders--);
  }).on("error", () => {});
}
const stalledSockets = [];
for (let i = 0; i < stalledCount; i++) {
  const socket = net.connect(Number(port), host, () => {
    socket.write(`GET ${path}?offset=now&live=sse HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    socket.pause();
  });
  socket.on("error", () => {});
  stalledSockets.push(socket);
}

const payload = "x".repeat(1024);
const started = Date.now();
let appends = 0;
const writer = setInterval(async () => {
  if (Date.now() - started > durationMs) {
    return;
  }
  appends++;
  await request("POST", payload).catch(() => {});
}, 50);
const reporter = setInterval(() => {
  const elapsed = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`t=${elapsed}s appends=${appends} reading=${openReaders} `
    + `events=${delivered} expected~${appends * (readerCount - stalledCount)} `
    + `rss=${rssMiB().toFixed(0)}MiB`);
}, 5000);

setTimeout(() => {
  clearInterval(writer);
  clearInterval(reporter);
  for (const socket of stalledSockets) {
    socket.destroy();
  }
  console.log(`done: ${appends} appends, ${delivered} events delivered to `
    + `${readerCount - stalledCount} reading clients, rss ${rssMiB().toFixed(0)} MiB`);
  process.exit(0);
}, durationMs + 3000);
