// Catch-up reads (scenario 3): fill a stream with 64 KiB appends, then read it whole from
// offset -1 several times, paging through Stream-Next-Offset until Stream-Up-To-Date.
import { createHash } from "node:crypto";
import { createStream, append, readAll, quantile } from "../lib/http.mjs";

const MIB = 1024 * 1024;
const CHUNK = 64 * 1024;
const WARM_UP_READS = 5;

export async function catchUpRead(server, ctx, { mib, repeats }) {
  const path = `${ctx.runId}/${server.label}/catch-up-${mib}`;
  const contentType = "application/octet-stream";
  await createStream(server.baseUrl, path, contentType);
  const expected = createHash("sha256");
  for (let i = 0; i < (mib * MIB) / CHUNK; i++) {
    const chunk = Buffer.alloc(CHUNK, 33 + (i % 90));
    expected.update(chunk);
    await append(server.baseUrl, path, contentType, chunk);
  }
  const expectedDigest = expected.digest("hex");

  // Untimed reads first, as the wrk scenarios warm up, so that the timed reads measure the
  // read path after its just-in-time compilation rather than during it.
  for (let i = 0; i < WARM_UP_READS; i++) {
    await readAll(server.baseUrl, path);
  }
  const latencies = [];
  const problems = [];
  let requests = 0;
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const result = await readAll(server.baseUrl, path);
    latencies.push(performance.now() - started);
    requests = result.requests;
    const digest = createHash("sha256");
    let length = 0;
    for (const page of result.pages) {
      digest.update(page);
      length += page.length;
    }
    if (length !== mib * MIB || digest.digest("hex") !== expectedDigest) {
      problems.push(`read ${r + 1} returned ${length} bytes that differ from what was appended`);
    }
  }
  const totalSeconds = latencies.reduce((a, b) => a + b, 0) / 1000;
  return {
    metrics: {
      "MiB/s": (mib * repeats) / totalSeconds,
      "p50 ms": quantile(latencies, 0.5),
      "requests per read": requests,
    },
    verification: {
      ok: problems.length === 0,
      detail: `${repeats} reads of ${mib} MiB`
        + (problems.length ? `; PROBLEMS: ${problems[0]}` : ""),
    },
  };
}
