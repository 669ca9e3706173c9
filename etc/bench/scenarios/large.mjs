// Large appends (scenario 6): sequential 1 MiB POSTs on one connection, then a read-back.
import { createStream, append, readAll } from "../lib/http.mjs";
import { checkIds } from "./appends.mjs";

const MIB = 1024 * 1024;

/** Builds the 1 MiB body of append number `index`: an id line, then a pattern from the index. */
export function largeBody(index) {
  const body = Buffer.alloc(MIB);
  for (let i = 0; i < MIB; i++) {
    body[i] = 97 + ((i * 7 + index) % 26);
  }
  body.write(`big-${String(index).padStart(6, "0")}\n`, 0, "latin1");
  return body;
}

export async function largeAppends(server, ctx) {
  const count = ctx.profile.largeAppends;
  const path = `${ctx.runId}/${server.label}/large`;
  const contentType = "application/octet-stream";
  await createStream(server.baseUrl, path, contentType);
  const bodies = Array.from({ length: count }, (_, i) => largeBody(i));

  const acked = new Set();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await append(server.baseUrl, path, contentType, bodies[i]);
    acked.add(String(i));
  }
  const seconds = (performance.now() - started) / 1000;

  const problems = [];
  const stored = [];
  const bytes = Buffer.concat((await readAll(server.baseUrl, path)).pages);
  if (bytes.length !== count * MIB) {
    problems.push(`stream holds ${bytes.length} bytes, expected ${count * MIB}`);
  }
  for (let at = 0; at + MIB <= bytes.length; at += MIB) {
    const match = /^big-(\d{6})\n/.exec(bytes.toString("latin1", at, at + 11));
    const index = match ? Number(match[1]) : -1;
    if (index < 0 || index >= count || !bytes.subarray(at, at + MIB).equals(bodies[index])) {
      problems.push(`the MiB at byte ${at} does not match any append`);
      continue;
    }
    stored.push(String(index));
  }
  return {
    metrics: { "MiB/s": count / seconds },
    verification: checkIds(stored, acked, 0, problems),
  };
}
