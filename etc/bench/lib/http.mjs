// HTTP helpers shared by the scenarios: create a stream, append, and read a stream back from
// the start. Requests send "Accept-Encoding: identity" because fetch requests gzip by default,
// and the reference server then compresses its responses, which this server does not do.

export const STREAM_ROOT = "/v1/stream/";
const IDENTITY = { "accept-encoding": "identity" };
// Bound on any one request, so that a server that stops responding cannot hang the benchmark.
export const REQUEST_TIMEOUT_MS = 60000;

/** Creates a stream and returns its tail offset (Stream-Next-Offset). */
export async function createStream(baseUrl, path, contentType) {
  const response = await fetch(baseUrl + STREAM_ROOT + path, {
    method: "PUT",
    headers: { "content-type": contentType, ...IDENTITY },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await response.arrayBuffer();
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`PUT ${path} failed with status ${response.status}`);
  }
  return response.headers.get("stream-next-offset");
}

/** Appends a body and returns the response. Fails on any status but 200 and 204. */
export async function append(baseUrl, path, contentType, body) {
  const response = await fetch(baseUrl + STREAM_ROOT + path, {
    method: "POST",
    headers: { "content-type": contentType, ...IDENTITY },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await response.arrayBuffer();
  if (response.status !== 200 && response.status !== 204) {
    throw new Error(`POST ${path} failed with status ${response.status}`);
  }
  return response;
}

/**
 * Reads a whole stream from offset -1, following Stream-Next-Offset until Stream-Up-To-Date.
 * Returns the pages' bodies in order and the number of requests made.
 *
 * @param maxPages bound on the number of requests, so that a server that never reports
 *        up-to-date cannot loop forever
 */
export async function readAll(baseUrl, path, maxPages = 100000) {
  const pages = [];
  let offset = "-1";
  for (let requests = 1; requests <= maxPages; requests++) {
    const url = `${baseUrl}${STREAM_ROOT}${path}?offset=${encodeURIComponent(offset)}`;
    const response = await fetch(url, {
      headers: IDENTITY, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = Buffer.from(await response.arrayBuffer());
    if (response.status !== 200) {
      throw new Error(`GET ${path} at offset ${offset} failed with status ${response.status}`);
    }
    pages.push(body);
    const next = response.headers.get("stream-next-offset");
    if (response.headers.get("stream-up-to-date") === "true") {
      return { pages, requests };
    }
    if (!next || next === offset) {
      throw new Error(`GET ${path} at offset ${offset} returned no new Stream-Next-Offset`
        + " and no Stream-Up-To-Date");
    }
    offset = next;
  }
  throw new Error(`reading ${path} took more than ${maxPages} requests`);
}

/** Returns the given quantile (0..1) of an unsorted array of numbers, by nearest rank. */
export function quantile(values, q) {
  if (values.length === 0) {
    return NaN;
  }
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** Runs the task for each item with at most `limit` running at once. */
export async function forEachLimited(items, limit, task) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
    }
  });
  await Promise.all(workers);
}
