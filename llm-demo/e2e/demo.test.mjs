// End-to-end tests of the demo page in headless Chromium. They need a running demo with the
// built-in provider at LLM_DEMO_URL; test.sh starts one on a free loopback port.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const BASE_URL = process.env.LLM_DEMO_URL;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.SCREENSHOT_DIR
  ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'target', 'screenshots');

/** Upper bound for one answer of the built-in provider at the pace test.sh sets. */
const ANSWER_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 180_000;

if (!BASE_URL) {
  throw new Error('LLM_DEMO_URL is not set; run the tests with llm-demo/test.sh, or set it to the'
    + ' URL of a running demo');
}

let context;
let userDataDir;

before(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  userDataDir = await mkdtemp(join(tmpdir(), 'llm-demo-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    timeout: 30_000,
  });
});

after(async () => {
  await context?.close();
  if (userDataDir) {
    await rm(userDataDir, { recursive: true, force: true });
  }
});

/** Opens a page and records its console errors and uncaught exceptions. */
async function openPage(path = '/') {
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      page.errors.push(message.text());
    }
  });
  page.on('pageerror', (error) => page.errors.push(error.message));
  await page.goto(new URL(path, BASE_URL).href);
  await page.waitForFunction(() => !document.getElementById('provider').textContent.startsWith('Loading'));
  return page;
}

function answerSelector(index) {
  return `[data-answer-index="${index}"] .answer`;
}

async function ask(page, prompt) {
  const index = await page.locator('[data-answer-index]').count();
  await page.fill('#prompt', prompt);
  await page.click('#send');
  await page.waitForSelector(answerSelector(index), { timeout: 10_000 });
  return index;
}

async function waitForTokens(page, index, count) {
  await page.waitForFunction(([selector, minimum]) => {
    const answer = document.querySelector(selector);
    return Number(answer?.dataset.tokens) >= minimum;
  }, [answerSelector(index), count], { timeout: ANSWER_TIMEOUT_MS });
}

async function waitForState(page, index, state) {
  await page.waitForFunction(([selector, expected]) => {
    return document.querySelector(selector)?.dataset.state === expected;
  }, [answerSelector(index), state], { timeout: ANSWER_TIMEOUT_MS });
}

async function answerData(page, index) {
  return page.$eval(answerSelector(index), (answer) => ({
    text: answer.querySelector('.answer-text').textContent,
    ...answer.dataset,
  }));
}

async function conversationId(page) {
  const match = /#\/c\/([0-9a-f]{16})$/.exec(page.url());
  assert.ok(match, `page URL ${page.url()} names a conversation`);
  return match[1];
}

/** Reads an answer stream from the start with plain catch-up reads and joins its tokens. */
async function storedAnswer(page, index) {
  const conversation = await (await fetch(
    new URL(`/api/conversations/${await conversationId(page)}`, BASE_URL))).json();
  const url = new URL(conversation.messages[index].answerUrl, BASE_URL);
  const messages = [];
  let offset = '-1';
  for (;;) {
    url.searchParams.set('offset', offset);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    messages.push(...await response.json());
    offset = response.headers.get('Stream-Next-Offset');
    if (response.headers.get('Stream-Up-To-Date') === 'true') {
      break;
    }
  }
  const tokens = messages.filter((message) => message.type === 'token');
  tokens.forEach((token, i) => assert.equal(token.index, i, 'stored token indexes have no gaps'));
  return {
    text: tokens.map((token) => token.text).join(''),
    tokens: tokens.length,
    last: messages.at(-1),
    finalOffset: offset,
  };
}

function assertNoPageErrors(page) {
  assert.deepEqual(page.errors, [], 'no console errors or uncaught exceptions');
}

describe('LLM demo page', { timeout: TEST_TIMEOUT_MS }, () => {
  test('question gets full answer', async () => {
    const page = await openPage();
    const index = await ask(page, 'How should I plan a small project?');

    await waitForState(page, index, 'done');

    const shown = await answerData(page, index);
    const stored = await storedAnswer(page, index);
    assert.equal(stored.last.type, 'end');
    assert.equal(shown.text, stored.text);
    assert.equal(Number(shown.tokens), stored.tokens);
    assert.ok(stored.tokens > 50, `answer has ${stored.tokens} tokens`);
    assert.equal(shown.outcome, 'end');
    assert.equal(shown.anomalies, '0');
    assert.equal(shown.offset, stored.finalOffset);
    assert.equal(await page.textContent('#status-state'), 'done');
    assert.match(await page.textContent('#status-detail'), new RegExp(stored.finalOffset));
    await page.waitForFunction(() => document.querySelector('.conversation-list [aria-current="true"]')
      ?.textContent.includes('How should I plan a small project?'));
    assertNoPageErrors(page);
    await page.close();
  });

  test('dropped connection resumes identically', async () => {
    const prompt = 'How does resuming a stream work?';
    const page = await openPage();
    const index = await ask(page, prompt);
    await waitForTokens(page, index, 30);
    await page.screenshot({ path: join(SCREENSHOTS, 'mid-answer.png') });

    await page.click('#drop-connection');
    await waitForState(page, index, 'disconnected');
    const atDrop = await answerData(page, index);
    assert.equal(await page.textContent('#status-state'), 'disconnected');
    await waitForState(page, index, 'streaming');
    await page.waitForFunction(([selector, before]) => {
      return Number(document.querySelector(selector).dataset.tokens) > before;
    }, [answerSelector(index), Number(atDrop.tokens)], { timeout: ANSWER_TIMEOUT_MS });
    await page.screenshot({ path: join(SCREENSHOTS, 'after-resume.png') });
    await waitForState(page, index, 'done');

    const resumed = await answerData(page, index);
    const stored = await storedAnswer(page, index);
    assert.ok(Number(atDrop.tokens) < stored.tokens,
      `the drop came mid-answer, at ${atDrop.tokens} of ${stored.tokens} tokens`);
    assert.equal(resumed.reconnects, '1');
    assert.equal(resumed.anomalies, '0');
    assert.equal(resumed.text, stored.text);

    // The same prompt read without interruption, in a new conversation, gives the same text.
    const uninterrupted = await openPage();
    const otherIndex = await ask(uninterrupted, prompt);
    await waitForState(uninterrupted, otherIndex, 'done');
    const reference = await answerData(uninterrupted, otherIndex);
    assert.equal(reference.reconnects, '0');
    assert.equal(resumed.text, reference.text);
    assertNoPageErrors(page);
    assertNoPageErrors(uninterrupted);
    await uninterrupted.close();
    await page.close();
  });

  test('two pages show same text', async () => {
    const first = await openPage();
    const index = await ask(first, 'Why do virtual threads suit token streaming?');
    await waitForTokens(first, index, 10);

    const second = await openPage(`/#/c/${await conversationId(first)}`);
    await second.waitForSelector(answerSelector(index));
    const joinedAt = await answerData(second, index);
    assert.notEqual(joinedAt.state, 'done', 'the second page joined while the answer streamed');

    await waitForState(first, index, 'done');
    await waitForState(second, index, 'done');
    const stored = await storedAnswer(first, index);
    assert.equal((await answerData(first, index)).text, stored.text);
    assert.equal((await answerData(second, index)).text, stored.text);

    // A prompt sent from the first page appears live on the second.
    const nextIndex = await ask(first, 'Write a poem about a stream that remembers');
    await second.waitForSelector(answerSelector(nextIndex), { timeout: 10_000 });
    await waitForState(first, nextIndex, 'done');
    await waitForState(second, nextIndex, 'done');
    const storedNext = await storedAnswer(first, nextIndex);
    assert.equal((await answerData(first, nextIndex)).text, storedNext.text);
    assert.equal((await answerData(second, nextIndex)).text, storedNext.text);
    assert.equal((await answerData(second, nextIndex)).anomalies, '0');
    assertNoPageErrors(first);
    assertNoPageErrors(second);
    await second.close();
    await first.close();
  });

  test('replay shows same text', async () => {
    const page = await openPage();
    const index = await ask(page, 'SSE or long-poll?');
    await waitForState(page, index, 'done');
    const original = await answerData(page, index);

    await page.click(`[data-answer-index="${index}"] .replay`);
    await page.waitForFunction((selector) => {
      return document.querySelector(selector).dataset.replay === 'running';
    }, answerSelector(index));
    assert.equal(await page.textContent('#status-state'), 'replaying');
    await page.waitForFunction((selector) => {
      return document.querySelector(selector).dataset.replay === 'done';
    }, answerSelector(index), { timeout: ANSWER_TIMEOUT_MS });

    const replayed = await answerData(page, index);
    assert.equal(replayed.text, original.text);
    assert.equal(replayed.text, (await storedAnswer(page, index)).text);
    assertNoPageErrors(page);
    await page.close();
  });

  test('long-poll transport resumes identically', async () => {
    const page = await openPage('/?transport=long-poll');
    const index = await ask(page, 'Tell me about offsets and reconnects');
    await waitForTokens(page, index, 20);

    await page.click('#drop-connection');
    await waitForState(page, index, 'disconnected');
    await waitForState(page, index, 'done');

    const shown = await answerData(page, index);
    assert.equal(shown.transport, 'long-poll');
    assert.equal(shown.reconnects, '1');
    assert.equal(shown.anomalies, '0');
    assert.equal(shown.text, (await storedAnswer(page, index)).text);
    assertNoPageErrors(page);
    await page.close();
  });

  test('reload resumes from saved offset', async () => {
    const page = await openPage();
    const index = await ask(page, 'Write a short poem, please');
    await waitForTokens(page, index, 20);

    await page.reload();
    await page.waitForSelector(answerSelector(index));
    const afterReload = await answerData(page, index);
    assert.notEqual(afterReload.startOffset, '-1', 'the reader resumed from a saved offset');
    await waitForState(page, index, 'done');

    const shown = await answerData(page, index);
    assert.equal(shown.anomalies, '0');
    assert.equal(shown.text, (await storedAnswer(page, index)).text);
    assertNoPageErrors(page);
    await page.close();
  });

  test('layout fits a phone screen', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(new URL('/', BASE_URL).href);
    const index = await ask(page, 'Why use durable streams for chat?');
    await waitForTokens(page, index, 40);
    await page.screenshot({ path: join(SCREENSHOTS, 'phone.png') });

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth
      - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'no horizontal scrolling');
    assert.equal(await page.isVisible('#toggle-sidebar'), true);
    assert.equal(await page.isVisible('#drop-connection'), true);
    await waitForState(page, index, 'done');
    await page.close();
  });
});
