// A browser reader for one stream of the Durable Streams protocol. It catches up from an
// offset and follows the stream live by Server-Sent Events or long-poll. After a disconnect it
// reconnects with backoff from the last offset it applied. It can save that offset together
// with the caller's state, so that a page reload resumes where it stopped. It has no
// dependencies and needs no build step: import it as an ES module.
//
//   const reader = new DurableStreamReader('/v1/stream/chat/room-1', {
//     format: 'json',
//     onData: (messages, info) => messages.forEach(render),
//     onStatus: (status) => showStatus(status.state, status.offset),
//   });
//   await reader.start(); // resolves when the stream is closed and fully read

/** Reader states, as passed to `onStatus`. */
export const ReaderState = Object.freeze({
  CONNECTING: 'connecting',
  STREAMING: 'streaming',
  DISCONNECTED: 'disconnected',
  DONE: 'done',
  ERROR: 'error',
  STOPPED: 'stopped',
});

/** The protocol's offset of the stream's first byte. */
export const START_OFFSET = '-1';

const CHECKPOINT_VERSION = 1;

/** HTTP statuses after which asking again cannot help: bad offset, no such stream, deleted. */
const FATAL_STATUSES = new Set([400, 401, 403, 404, 405, 410]);

/**
 * Reads one stream from an offset to its end, or forever while it stays open.
 *
 * The reader passes each piece of data to `onData` once and in order. It does so only together
 * with the offset that follows the data (the SSE control event, or the long-poll response's
 * `Stream-Next-Offset` header), then moves to that offset. Data whose
 * offset is not past the current one is dropped, so a reconnect never repeats anything, and
 * data that arrived without its offset is dropped and read again, so nothing is skipped.
 */
export class DurableStreamReader {
  #url;
  #format;
  #live;
  #onData;
  #onStatus;
  #checkpoint;
  #backoff;
  #sseFirstEventMs;
  #fetch;

  #offset;
  #startOffset;
  #cursor = null;
  #closed = false;
  #upToDate = false;
  #transport;
  #state = null;
  #attempt = 0;
  #reconnects = 0;
  #duplicatesDropped = 0;
  #controller = null;
  #stopped = false;
  #wakeUp = null;
  #running = null;

  /**
   * @param {string|URL} url the stream's URL, absolute or relative to the page
   * @param {object} [options]
   * @param {string} [options.offset='-1'] offset to start at: '-1' (start), 'now' (tail) or an
   *     offset the server returned
   * @param {'json'|'text'|'bytes'} [options.format='json'] how data is passed to `onData`: an
   *     array of messages for JSON streams, a string for text streams, a Uint8Array otherwise
   * @param {'auto'|'sse'|'long-poll'|false} [options.live='auto'] how to follow the stream:
   *     'auto' uses SSE and switches to long-poll when an SSE connection delivers nothing;
   *     false reads what exists now and stops
   * @param {(data: any, info: {offset: string, previousOffset: string, upToDate: boolean,
   *     closed: boolean}) => void} [options.onData] receives each batch, in order, once
   * @param {(status: object) => void} [options.onStatus] receives every state change and offset
   *     change: {state, offset, transport, upToDate, closed, reconnects, retryInMs, error}
   * @param {{key: string, storage?: Storage, save: () => any, restore: (state: any) => void}}
   *     [options.checkpoint] saves the offset together with `save()`'s result after every
   *     batch, and on start calls `restore` with the saved result and resumes from its offset;
   *     storage defaults to sessionStorage
   * @param {{initialMs?: number, maxMs?: number}} [options.backoff] reconnect delays: the first
   *     is initialMs (default 1000), each next one doubles up to maxMs (default 15000), with
   *     20 % jitter
   * @param {number} [options.sseFirstEventMs=5000] how long an SSE connection may stay silent
   *     before it counts as failed; the protocol's servers send a control event at once, so
   *     silence means a proxy is buffering the response
   * @param {typeof fetch} [options.fetch] the fetch function, for tests
   */
  constructor(url, options = {}) {
    this.#url = new URL(url, globalThis.location?.href);
    this.#offset = options.offset ?? START_OFFSET;
    this.#format = options.format ?? 'json';
    this.#live = options.live ?? 'auto';
    this.#onData = options.onData ?? (() => {});
    this.#onStatus = options.onStatus ?? (() => {});
    this.#checkpoint = options.checkpoint ?? null;
    this.#backoff = { initialMs: 1000, maxMs: 15000, ...options.backoff };
    this.#sseFirstEventMs = options.sseFirstEventMs ?? 5000;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#transport = this.#live === 'long-poll' || this.#live === false ? 'long-poll' : 'sse';
    if (!['json', 'text', 'bytes'].includes(this.#format)) {
      throw new TypeError(`Invalid format "${this.#format}": use json, text or bytes`);
    }
    if (!['auto', 'sse', 'long-poll', false].includes(this.#live)) {
      throw new TypeError(`Invalid live mode "${this.#live}": use auto, sse, long-poll or false`);
    }
  }

  /** The offset after the last batch passed to `onData`. */
  get offset() {
    return this.#offset;
  }

  /** The offset this reader started from, after restoring a checkpoint. */
  get startOffset() {
    return this.#startOffset;
  }

  /** 'sse' or 'long-poll'. */
  get transport() {
    return this.#transport;
  }

  /** The current state, one of ReaderState. */
  get state() {
    return this.#state;
  }

  /**
   * Starts reading. Calling it again returns the same promise.
   *
   * @returns {Promise<void>} resolves when the stream is closed and fully read, or the reader
   *     was stopped; rejects when the server rejects the read for good (404, 410, ...)
   */
  start() {
    this.#running ??= this.#run();
    return this.#running;
  }

  /** Stops reading for good and aborts the open request, if any. */
  stop() {
    if (this.#stopped) {
      return;
    }
    this.#stopped = true;
    this.#controller?.abort();
    this.#wakeUp?.();
    if (this.#state !== ReaderState.DONE && this.#state !== ReaderState.ERROR) {
      this.#setState(ReaderState.STOPPED);
    }
  }

  /**
   * Aborts the open request as a network failure would, so that the reader reconnects after
   * its backoff delay from the last offset it applied. Does nothing once the reader is done.
   */
  dropConnection() {
    this.#controller?.abort(new DOMException('Connection dropped on request', 'AbortError'));
  }

  async #run() {
    this.#restoreCheckpoint();
    this.#startOffset = this.#offset;
    if (this.#closed) {
      this.#setState(ReaderState.DONE);
      return;
    }
    const onOnline = () => this.#wakeUp?.();
    globalThis.addEventListener?.('online', onOnline);
    try {
      while (!this.#stopped) {
        this.#controller = new AbortController();
        this.#setState(ReaderState.CONNECTING);
        let outcome;
        try {
          outcome = this.#transport === 'sse'
            ? await this.#readSse(this.#controller.signal)
            : await this.#readLongPoll(this.#controller.signal);
        } catch (error) {
          outcome = { kind: 'failed', error };
        }
        if (this.#stopped) {
          return;
        }
        if (outcome.kind === 'closed') {
          this.#setState(ReaderState.DONE);
          return;
        }
        if (outcome.kind === 'fatal') {
          this.#setState(ReaderState.ERROR, { error: outcome.error });
          throw outcome.error;
        }
        if (outcome.kind === 'ended') {
          // The server ends SSE responses at its reconnect interval, and a reader without live
          // mode stops at the tail: neither is a failure.
          if (this.#live === false) {
            this.#setState(ReaderState.STOPPED);
            return;
          }
          continue;
        }
        if (outcome.fallback && this.#live === 'auto') {
          this.#transport = 'long-poll';
        }
        const delay = this.#nextDelay();
        this.#reconnects++;
        this.#setState(ReaderState.DISCONNECTED, { retryInMs: delay, error: outcome.error });
        await this.#pause(delay);
      }
    } finally {
      globalThis.removeEventListener?.('online', onOnline);
      this.#controller = null;
    }
  }

  async #readSse(signal) {
    const response = await this.#fetch(this.#readUrl('sse'), {
      signal,
      cache: 'no-store',
      headers: { Accept: 'text/event-stream' },
    });
    if (!response.ok) {
      return this.#failure(response);
    }
    const contentType = response.headers.get('Content-Type') ?? '';
    if (!contentType.startsWith('text/event-stream') || !response.body) {
      response.body?.cancel().catch(() => {});
      return { kind: 'failed', fallback: true, error: new Error(`SSE read returned ${contentType}`) };
    }
    const base64 = response.headers.get('stream-sse-data-encoding') === 'base64';

    let silent = true;
    let silenceTimedOut = false;
    const silenceTimer = setTimeout(() => {
      if (silent) {
        silenceTimedOut = true;
        this.#controller?.abort(new DOMException('No SSE event arrived', 'TimeoutError'));
      }
    }, this.#sseFirstEventMs);
    let payloads = [];
    try {
      for await (const event of readServerSentEvents(response.body)) {
        silent = false;
        if (event.type === 'data') {
          payloads.push(base64 ? decodeBase64(event.data) : event.data);
        } else if (event.type === 'control') {
          const control = JSON.parse(event.data);
          this.#apply(payloads, control.streamNextOffset, {
            cursor: control.streamCursor ?? null,
            upToDate: control.upToDate === true || control.streamClosed === true,
            closed: control.streamClosed === true,
          });
          payloads = [];
          if (control.streamClosed === true) {
            return { kind: 'closed' };
          }
        }
      }
    } catch (error) {
      // Data that arrived without its control event is dropped here and read again.
      return { kind: 'failed', fallback: silenceTimedOut, error };
    } finally {
      clearTimeout(silenceTimer);
    }
    if (silent) {
      // A server of the protocol always sends a control event first, so an empty response
      // comes from something in between that does not pass SSE through.
      return { kind: 'failed', fallback: true, error: new Error('SSE response was empty') };
    }
    return { kind: 'ended' };
  }

  async #readLongPoll(signal) {
    while (!this.#stopped) {
      const live = this.#live === false ? null : 'long-poll';
      const response = await this.#fetch(this.#readUrl(live), { signal, cache: 'no-store' });
      if (response.status !== 204 && !response.ok) {
        return this.#failure(response);
      }
      const next = response.headers.get('Stream-Next-Offset');
      if (!next) {
        return { kind: 'fatal', error: new Error('Response has no Stream-Next-Offset header') };
      }
      const flags = {
        cursor: response.headers.get('Stream-Cursor'),
        upToDate: response.headers.get('Stream-Up-To-Date') === 'true',
        closed: response.headers.get('Stream-Closed') === 'true',
      };
      const payloads = [];
      if (response.status === 200) {
        payloads.push(this.#format === 'bytes'
          ? new Uint8Array(await response.arrayBuffer())
          : await response.text());
      }
      this.#apply(payloads, next, flags);
      if (flags.closed) {
        return { kind: 'closed' };
      }
      if (live === null && flags.upToDate) {
        return { kind: 'ended' };
      }
    }
    return { kind: 'ended' };
  }

  /** Passes new data on, then moves to its offset, saves the checkpoint and reports. */
  #apply(payloads, nextOffset, { cursor, upToDate, closed }) {
    if (typeof nextOffset !== 'string' || nextOffset.length === 0) {
      throw new Error('Control event has no streamNextOffset');
    }
    const previousOffset = this.#offset;
    const advances = isSentinel(previousOffset) || nextOffset > previousOffset;
    const data = payloads.length > 0 ? this.#decode(payloads) : null;
    if (data !== null && !isEmpty(data)) {
      if (advances) {
        this.#onData(data, { offset: nextOffset, previousOffset, upToDate, closed });
      } else {
        this.#duplicatesDropped++;
      }
    }
    if (advances || nextOffset === previousOffset) {
      this.#offset = nextOffset;
      this.#closed = closed;
    }
    this.#cursor = cursor ?? this.#cursor;
    this.#upToDate = upToDate;
    this.#attempt = 0;
    this.#saveCheckpoint();
    this.#setState(closed ? this.#state : ReaderState.STREAMING);
  }

  #decode(payloads) {
    if (this.#format === 'json') {
      return payloads.flatMap((payload) => JSON.parse(payload));
    }
    if (this.#format === 'text') {
      return payloads.map((payload) => (typeof payload === 'string'
        ? payload : new TextDecoder().decode(payload))).join('');
    }
    const parts = payloads.map((payload) => (typeof payload === 'string'
      ? new TextEncoder().encode(payload) : payload));
    const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let position = 0;
    for (const part of parts) {
      bytes.set(part, position);
      position += part.length;
    }
    return bytes;
  }

  async #failure(response) {
    const detail = (await response.text().catch(() => '')).trim().slice(0, 300);
    const error = new Error(`Reading ${this.#url.pathname} failed with HTTP ${response.status}`
      + (detail ? `: ${detail}` : ''));
    error.status = response.status;
    return FATAL_STATUSES.has(response.status) ? { kind: 'fatal', error } : { kind: 'failed', error };
  }

  #readUrl(live) {
    const url = new URL(this.#url);
    // Parameters in lexicographic order, which the protocol recommends for caches.
    if (this.#cursor && live) {
      url.searchParams.set('cursor', this.#cursor);
    }
    if (live) {
      url.searchParams.set('live', live);
    }
    url.searchParams.set('offset', this.#offset);
    return url;
  }

  #nextDelay() {
    const base = Math.min(this.#backoff.maxMs, this.#backoff.initialMs * 2 ** this.#attempt);
    this.#attempt++;
    return Math.round(base * (0.8 + 0.4 * Math.random()));
  }

  #pause(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeUp = done;
    }).finally(() => {
      this.#wakeUp = null;
    });
  }

  #restoreCheckpoint() {
    if (!this.#checkpoint) {
      return;
    }
    let saved = null;
    try {
      saved = JSON.parse(this.#storage().getItem(this.#checkpoint.key));
    } catch (error) {
      console.warn(`Ignoring unreadable checkpoint ${this.#checkpoint.key}`, error);
    }
    if (saved?.version !== CHECKPOINT_VERSION || typeof saved.offset !== 'string') {
      return;
    }
    this.#checkpoint.restore?.(saved.state);
    this.#offset = saved.offset;
    this.#cursor = saved.cursor ?? null;
    this.#closed = saved.closed === true;
  }

  #saveCheckpoint() {
    if (!this.#checkpoint) {
      return;
    }
    const saved = {
      version: CHECKPOINT_VERSION,
      offset: this.#offset,
      cursor: this.#cursor,
      closed: this.#closed,
      state: this.#checkpoint.save?.(),
    };
    try {
      this.#storage().setItem(this.#checkpoint.key, JSON.stringify(saved));
    } catch (error) {
      // A full storage only costs the resume after a reload, so reading goes on.
      console.warn(`Saving checkpoint ${this.#checkpoint.key} failed`, error);
    }
  }

  #storage() {
    return this.#checkpoint.storage ?? globalThis.sessionStorage;
  }

  #setState(state, extra = {}) {
    this.#state = state;
    this.#onStatus({
      state,
      offset: this.#offset,
      transport: this.#transport,
      upToDate: this.#upToDate,
      closed: this.#closed,
      reconnects: this.#reconnects,
      duplicatesDropped: this.#duplicatesDropped,
      retryInMs: null,
      error: null,
      ...extra,
    });
  }
}

/**
 * Parses a Server-Sent Events body as the WHATWG HTML standard specifies. Lines end with CR,
 * LF or CRLF, and lines starting with a colon are comments. One space after a field's colon is
 * dropped, data lines are joined with LF, and a blank line dispatches the event. An unfinished
 * event at the end of the body is dropped.
 *
 * @param {ReadableStream<Uint8Array>} body the response body
 * @returns {AsyncGenerator<{type: string, data: string}>} the events
 */
export async function* readServerSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let type = '';
  let data = null;
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      buffer += value;
      let lineEnd;
      while ((lineEnd = buffer.search(/[\r\n]/)) >= 0) {
        // A CR at the end of the buffer may be the first half of a CRLF still in transit.
        if (buffer[lineEnd] === '\r' && lineEnd === buffer.length - 1) {
          break;
        }
        const line = buffer.slice(0, lineEnd);
        const skip = buffer.startsWith('\r\n', lineEnd) ? 2 : 1;
        buffer = buffer.slice(lineEnd + skip);
        if (line === '') {
          if (data !== null) {
            yield { type: type || 'message', data };
          }
          type = '';
          data = null;
          continue;
        }
        if (line.startsWith(':')) {
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let fieldValue = colon < 0 ? '' : line.slice(colon + 1);
        if (fieldValue.startsWith(' ')) {
          fieldValue = fieldValue.slice(1);
        }
        if (field === 'event') {
          type = fieldValue;
        } else if (field === 'data') {
          data = data === null ? fieldValue : `${data}\n${fieldValue}`;
        }
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

function isSentinel(offset) {
  return offset === START_OFFSET || offset === 'now';
}

function isEmpty(data) {
  return data.length === 0;
}

function decodeBase64(text) {
  const binary = atob(text.replace(/[\r\n]/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}
