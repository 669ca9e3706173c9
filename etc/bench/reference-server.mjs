// Starts the @durable-streams/server reference server on 127.0.0.1 for the benchmark.
// Environment: PORT (0 picks a free port) and LONG_POLL_MS (long-poll timeout in milliseconds).
// DATA_DIR selects the reference's file-backed store, which syncs every append. Without it, the
// server keeps streams in memory. Prints "listening URL" once it accepts requests.
// SIGUSR2 runs a full garbage collection when node was started with --expose-gc and prints the
// V8 heap in use and the memory held outside it (Buffers), so that the benchmark can measure
// memory after a GC, as it does with jcmd GC.run and GC.heap_info for the JVM.
import { DurableStreamTestServer } from "@durable-streams/server";

const options = {
  host: "127.0.0.1",
  port: Number(process.env.PORT || 0),
  longPollTimeout: Number(process.env.LONG_POLL_MS || 20000),
};
if (process.env.DATA_DIR) {
  options.dataDir = process.env.DATA_DIR;
}

const server = new DurableStreamTestServer(options);
const url = await server.start();
console.log(`listening ${url}`);

process.on("SIGUSR2", () => {
  if (typeof globalThis.gc === "function") {
    globalThis.gc();
    const memory = process.memoryUsage();
    console.log(`gc done: heapUsed ${memory.heapUsed} external ${memory.external}`);
  } else {
    console.log("gc unavailable: start node with --expose-gc");
  }
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    await server.stop();
    process.exit(0);
  });
}
