// Worker thread of scenario 5 (SSE fan-out): runs a share of the SSE readers on raw TCP
// sockets and records when each reader first has each message.
//
// At 10,000 readers and 50 messages a second, 500,000 events a second reach the client, so the
// cost per event matters. Rather than a node:http response stream per reader, this reader
// parses only what the count needs: the HTTP status line, the chunked transfer coding, and the
// SSE "data:" lines, which it finds with Buffer.indexOf. Every message in a data line is still
// checked byte for byte.
//
// workerData: host, port, requestPath, firstReader, readerCount, messageCount, openBatch,
// openPauseMs, lifetimeMs, clockBase, workerIndex, and two shared arrays:
//   arrivals  Float64Array of readers x messages, NaN until reader r has message s, then the
//             arrival time in ms on the clockSince(clockBase) clock at [r * messageCount + s]
//   counters  Int32Array; this worker updates its own COUNTERS_PER_WORKER slots
// Messages from the parent: { type: "measure" } when the writer starts, and { type: "stop" }.
// Reply: { type: "done", stats }.
import net from "node:net";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { setTimeout as sleep } from "node:timers/promises";
import { RECORD_BYTES, clockSince } from "../lib/messages.mjs";

export const COUNTERS_PER_WORKER = 3;
export const OPENED = 0;
export const FAILED_OPENS = 1;
export const DELIVERED = 2;

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const OPEN_BRACE = 0x7b;
const DATA_FIELD = Buffer.from("data:");
const HEAD_END = Buffer.from("\r\n\r\n");
const ID_BYTES = 8;
const PADDING = Buffer.from(".".repeat(RECORD_BYTES - ID_BYTES));
// Bound on a response head, so that a server that never ends its head cannot grow a buffer.
const MAX_HEAD_BYTES = 64 * 1024;

// Response parsing states.
const HEAD = 0;
const CHUNK_SIZE = 1;
const CHUNK_DATA = 2;
const CHUNK_END = 3;
const UNTIL_CLOSE = 4;
const ENDED = 5;

/** A problem count with the first example kept for the report. */
class Tally {
  constructor() {
    this.count = 0;
    this.example = null;
  }

  add(example) {
    this.count++;
    this.example ??= example;
  }
}

/**
 * Runs this worker's readers until the parent sends "stop" or the lifetime passes. Only the
 * worker thread runs this: the parent imports the file for its counter layout.
 */
async function main() {
  const {
    host, port, requestPath, firstReader, readerCount, messageCount, openBatch, openPauseMs,
    lifetimeMs, clockBase, arrivals, counters, workerIndex,
  } = workerData;
  const now = clockSince(clockBase);
  const slot = workerIndex * COUNTERS_PER_WORKER;
  const request = Buffer.from(`GET ${requestPath} HTTP/1.1\r\nHost: ${host}:${port}\r\n`
    + "Accept: text/event-stream\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n");
  const problems = {
    malformed: new Tally(), duplicates: new Tally(), outOfOrder: new Tally(),
    badStatus: new Tally(), connectErrors: new Tally(), endedEarly: new Tally(),
    protocol: new Tally(),
  };
  let delivered = 0;
  // Set once the parent stops the readers or the lifetime passes: endings are then expected.
  let stopping = false;
  const readers = [];

  /** Takes one 100-byte record at b[at] for a reader, arrived at `time`. */
  const takeRecord = (reader, b, at, time) => {
    let seq = 0;
    let valid = b[at] === 0x6d && b[at + ID_BYTES - 1] === 0x3b;
    for (let i = 1; valid && i < ID_BYTES - 1; i++) {
      const digit = b[at + i] - 0x30;
      valid = digit >= 0 && digit <= 9;
      seq = seq * 10 + digit;
    }
    valid &&= b.compare(PADDING, 0, PADDING.length, at + ID_BYTES, at + RECORD_BYTES) === 0;
    if (!valid || seq >= messageCount) {
      problems.malformed.add(`reader ${reader.index}: `
        + JSON.stringify(b.toString("latin1", at, at + RECORD_BYTES).slice(0, 20)));
      return;
    }
    const index = reader.index * messageCount + seq;
    if (!Number.isNaN(arrivals[index])) {
      problems.duplicates.add(`reader ${reader.index}: message ${seq}`);
      return;
    }
    if (seq !== reader.next) {
      problems.outOfOrder.add(`reader ${reader.index}: message ${seq} after ${reader.next - 1}`);
    }
    arrivals[index] = time;
    reader.next = seq + 1;
    delivered++;
  };

  /** Takes the records of a data line's value b[from, to), which may split records. */
  const takeRecords = (reader, b, from, to, time) => {
    if (reader.recordCarry) {
      const needed = RECORD_BYTES - reader.recordCarry.length;
      if (to - from < needed) {
        reader.recordCarry = Buffer.concat([reader.recordCarry, b.subarray(from, to)]);
        return;
      }
      const record = Buffer.concat([reader.recordCarry, b.subarray(from, from + needed)]);
      reader.recordCarry = null;
      takeRecord(reader, record, 0, time);
      from += needed;
    }
    for (; from + RECORD_BYTES <= to; from += RECORD_BYTES) {
      takeRecord(reader, b, from, time);
    }
    if (from < to) {
      reader.recordCarry = Buffer.from(b.subarray(from, to));
    }
  };

  /**
   * Scans whole SSE lines b[from, to), which start at a line start and end with LF. Data lines
   * whose value starts with "{" belong to control events and are skipped. The values of the
   * other data lines, joined, are the messages, as the SSE data of a text stream without line
   * breaks. Event, comment and empty lines need no look.
   */
  const scanLines = (reader, b, from, to, time) => {
    let position = from;
    while (position < to) {
      const at = b.indexOf(DATA_FIELD, position);
      if (at < 0 || at >= to) {
        return;
      }
      if (at > from && b[at - 1] !== LF) {
        // "data:" inside another line.
        position = at + DATA_FIELD.length;
        continue;
      }
      let valueStart = at + DATA_FIELD.length;
      if (b[valueStart] === SPACE) {
        valueStart++;
      }
      const lineEnd = b.indexOf(LF, valueStart);
      const valueEnd = lineEnd > valueStart && b[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
      if (valueEnd > valueStart && b[valueStart] !== OPEN_BRACE) {
        takeRecords(reader, b, valueStart, valueEnd, time);
      }
      position = lineEnd + 1;
    }
  };

  /** Takes a piece of the response body, b[from, to), keeping an incomplete last line. */
  const takeBody = (reader, b, from, to, time) => {
    if (reader.lineCarry) {
      const lineEnd = b.indexOf(LF, from);
      if (lineEnd < 0 || lineEnd >= to) {
        reader.lineCarry = Buffer.concat([reader.lineCarry, b.subarray(from, to)]);
        return;
      }
      const line = Buffer.concat([reader.lineCarry, b.subarray(from, lineEnd + 1)]);
      reader.lineCarry = null;
      scanLines(reader, line, 0, line.length, time);
      from = lineEnd + 1;
    }
    const lastLineEnd = from < to ? b.lastIndexOf(LF, to - 1) : -1;
    if (lastLineEnd >= from) {
      scanLines(reader, b, from, lastLineEnd + 1, time);
      from = lastLineEnd + 1;
    }
    if (from < to) {
      reader.lineCarry = Buffer.from(b.subarray(from, to));
    }
  };

  /** Parses the status line and headers; returns where the body starts, or -1 for more. */
  const takeHead = (reader, b) => {
    const end = b.indexOf(HEAD_END);
    if (end < 0) {
      if (b.length > MAX_HEAD_BYTES) {
        fail(reader, problems.protocol, `reader ${reader.index}: response head too long`);
      }
      return -1;
    }
    const head = b.toString("latin1", 0, end);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    if (!status || status[1] !== "200") {
      reader.failed = true;
      Atomics.add(counters, slot + FAILED_OPENS, 1);
      problems.badStatus.add(`reader ${reader.index}: ${head.split("\r\n", 1)[0]}`);
      reader.socket.destroy();
      reader.state = ENDED;
      return -1;
    }
    reader.opened = true;
    Atomics.add(counters, slot + OPENED, 1);
    reader.state = /^transfer-encoding:\s*chunked\s*$/im.test(head) ? CHUNK_SIZE : UNTIL_CLOSE;
    return end + HEAD_END.length;
  };

  const fail = (reader, tally, example) => {
    tally.add(example);
    reader.state = ENDED;
    reader.socket.destroy();
  };

  /** Takes one read from the socket: the head, then the body, undoing the chunked coding. */
  const onData = (reader, chunk) => {
    const time = now();
    let b = chunk;
    if (reader.rawCarry) {
      b = Buffer.concat([reader.rawCarry, chunk]);
      reader.rawCarry = null;
    }
    let position = 0;
    while (position < b.length && reader.state !== ENDED) {
      switch (reader.state) {
        case HEAD: {
          const bodyStart = takeHead(reader, b);
          if (bodyStart < 0) {
            if (reader.state === HEAD) {
              reader.rawCarry = b;
            }
            return;
          }
          position = bodyStart;
          break;
        }
        case CHUNK_SIZE: {
          const lineEnd = b.indexOf(LF, position);
          if (lineEnd < 0) {
            reader.rawCarry = Buffer.from(b.subarray(position));
            return;
          }
          const size = parseInt(b.toString("latin1", position, lineEnd), 16);
          if (!Number.isInteger(size) || size < 0) {
            fail(reader, problems.protocol, `reader ${reader.index}: invalid chunk size`);
            return;
          }
          position = lineEnd + 1;
          if (size === 0) {
            reader.state = ENDED;
            if (!stopping) {
              problems.endedEarly.add(`reader ${reader.index}: response ended`);
            }
            reader.socket.destroy();
            return;
          }
          reader.chunkLeft = size;
          reader.state = CHUNK_DATA;
          break;
        }
        case CHUNK_DATA: {
          const end = Math.min(b.length, position + reader.chunkLeft);
          takeBody(reader, b, position, end, time);
          reader.chunkLeft -= end - position;
          position = end;
          if (reader.chunkLeft === 0) {
            reader.state = CHUNK_END;
            reader.chunkEndLeft = 2;
          }
          break;
        }
        case CHUNK_END: {
          // The CRLF after each chunk's data.
          const expected = reader.chunkEndLeft === 2 ? CR : LF;
          if (b[position] !== expected) {
            fail(reader, problems.protocol, `reader ${reader.index}: no CRLF after a chunk`);
            return;
          }
          position++;
          if (--reader.chunkEndLeft === 0) {
            reader.state = CHUNK_SIZE;
          }
          break;
        }
        case UNTIL_CLOSE:
          takeBody(reader, b, position, b.length, time);
          position = b.length;
          break;
        default:
          return;
      }
    }
  };

  const open = (index) => {
    const reader = {
      index, socket: null, state: HEAD, opened: false, failed: false, next: 0, chunkLeft: 0,
      chunkEndLeft: 0, rawCarry: null, lineCarry: null, recordCarry: null,
    };
    const socket = net.connect({ host, port });
    reader.socket = socket;
    socket.setNoDelay(true);
    socket.once("connect", () => socket.write(request));
    socket.on("data", (chunk) => onData(reader, chunk));
    socket.on("error", (error) => {
      if (!reader.opened && !reader.failed) {
        reader.failed = true;
        Atomics.add(counters, slot + FAILED_OPENS, 1);
        problems.connectErrors.add(`reader ${reader.index}: ${error.message}`);
      }
    });
    socket.on("close", () => {
      // Sockets closed at the stop are no problem here: the parent counts unopened readers.
      if (!stopping && reader.opened && reader.state !== ENDED) {
        problems.endedEarly.add(`reader ${reader.index}: connection closed`);
      } else if (!stopping && !reader.opened && !reader.failed) {
        reader.failed = true;
        Atomics.add(counters, slot + FAILED_OPENS, 1);
        problems.connectErrors.add(`reader ${reader.index}: closed before a response`);
      }
      reader.state = ENDED;
    });
    readers.push(reader);
  };

  // Publishes the delivery count for the parent's progress checks.
  const publish = setInterval(() => Atomics.store(counters, slot + DELIVERED, delivered), 20);

  let stopReason = null;
  let finish;
  const finished = new Promise((resolve) => {
    finish = (reason) => {
      stopReason ??= reason;
      resolve(stopReason);
    };
  });
  const lifetime = setTimeout(() => finish("its lifetime"), lifetimeMs);
  // Event loop utilization from the writer's start: near 1 means this thread was saturated,
  // so that arrival times include time the events waited for it.
  let busySince = null;
  parentPort.on("message", (message) => {
    if (message.type === "measure") {
      busySince = performance.eventLoopUtilization();
    } else if (message.type === "stop") {
      finish("the parent");
    }
  });

  for (let i = 0; i < readerCount && stopReason === null; i++) {
    open(firstReader + i);
    if (i % openBatch === openBatch - 1) {
      await sleep(openPauseMs);
    }
  }

  const reason = await finished;
  stopping = true;
  clearTimeout(lifetime);
  clearInterval(publish);
  for (const reader of readers) {
    reader.socket.destroy();
  }
  Atomics.store(counters, slot + DELIVERED, delivered);
  const busy = busySince ? performance.eventLoopUtilization(busySince).utilization : NaN;
  const stats = { delivered, stoppedBy: reason, busy };
  for (const [name, tally] of Object.entries(problems)) {
    stats[name] = { count: tally.count, example: tally.example };
  }
  parentPort.postMessage({ type: "done", stats });
  parentPort.close();
}

if (!isMainThread && workerData?.role === "sse-readers") {
  await main();
}
