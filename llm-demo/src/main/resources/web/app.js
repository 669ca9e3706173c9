// The demo page: conversations in the sidebar, the open conversation's prompts and answers, and
// a status line for the answer in focus. Every answer is read from its durable stream with
// DurableStreamReader, which resumes from the last applied offset after any disconnect.

import { DurableStreamReader, ReaderState } from './durable-stream-client.js';

const CONVERSATION_ROUTE = /^#\/c\/([0-9a-f]{16})$/;

/** Replays run at this multiple of the original pace. */
const REPLAY_SPEED = 2;

/** ?transport=sse or ?transport=long-poll pins the transport; the default is auto. */
const TRANSPORT = (() => {
  const requested = new URLSearchParams(location.search).get('transport');
  return requested === 'sse' || requested === 'long-poll' ? requested : 'auto';
})();

const elements = {
  sidebar: document.getElementById('sidebar'),
  toggleSidebar: document.getElementById('toggle-sidebar'),
  provider: document.getElementById('provider'),
  newConversation: document.getElementById('new-conversation'),
  conversationList: document.getElementById('conversation-list'),
  title: document.getElementById('conversation-title'),
  transcript: document.getElementById('transcript'),
  welcome: document.getElementById('welcome'),
  statusLine: document.getElementById('status-line'),
  statusState: document.getElementById('status-state'),
  statusDetail: document.getElementById('status-detail'),
  drop: document.getElementById('drop-connection'),
  form: document.getElementById('prompt-form'),
  prompt: document.getElementById('prompt'),
  send: document.getElementById('send'),
  formError: document.getElementById('form-error'),
};

const page = {
  conversationId: null,
  conversationReader: null,
  answers: new Map(),
  focused: null,
  sending: false,
};

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { 'Content-Type': 'application/json', ...options.headers },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, body.error ?? `Request failed with HTTP ${response.status}`);
  }
  return body;
}

/** One prompt and its answer, read live from the answer stream. */
class AnswerView {
  constructor(prompt) {
    this.index = prompt.index;
    this.url = prompt.answerUrl;
    this.text = '';
    this.nextTokenIndex = 0;
    this.anomalies = 0;
    this.outcome = null;
    this.model = prompt.model;
    this.status = { state: ReaderState.CONNECTING, offset: '-1', transport: TRANSPORT };
    this.reader = null;
    this.replay = null;

    this.element = document.createElement('article');
    this.element.className = 'exchange';
    this.element.dataset.answerIndex = String(prompt.index);

    const bubble = document.createElement('div');
    bubble.className = 'prompt-bubble';
    bubble.textContent = prompt.text;

    this.answerElement = document.createElement('section');
    this.answerElement.className = 'answer';
    this.textElement = document.createElement('div');
    this.textElement.className = 'answer-text';
    this.textNode = document.createTextNode('');
    this.textElement.append(this.textNode);
    this.errorElement = document.createElement('p');
    this.errorElement.className = 'answer-error';
    this.errorElement.hidden = true;

    const footer = document.createElement('div');
    footer.className = 'answer-footer';
    this.pill = document.createElement('span');
    this.pill.className = 'pill';
    this.meta = document.createElement('span');
    this.replayButton = document.createElement('button');
    this.replayButton.type = 'button';
    this.replayButton.className = 'replay';
    this.replayButton.textContent = '↻ Replay';
    this.replayButton.disabled = true;
    this.replayButton.addEventListener('click', () => this.startReplay());
    footer.append(this.pill, this.meta, this.replayButton);

    this.answerElement.append(this.textElement, this.errorElement, footer);
    this.element.append(bubble, this.answerElement);
    this.render();
  }

  follow() {
    this.reader = new DurableStreamReader(this.url, {
      format: 'json',
      live: TRANSPORT,
      checkpoint: {
        key: `llm-demo:answer:${this.url}`,
        save: () => ({
          text: this.text,
          nextTokenIndex: this.nextTokenIndex,
          outcome: this.outcome,
          model: this.model,
        }),
        restore: (saved) => {
          this.text = saved.text;
          this.nextTokenIndex = saved.nextTokenIndex;
          this.outcome = saved.outcome;
          this.model = saved.model ?? this.model;
          this.textNode.data = this.text;
        },
      },
      onData: (messages) => messages.forEach((message) => this.apply(message)),
      onStatus: (status) => {
        this.status = status;
        this.render();
      },
    });
    this.reader.start().catch((error) => console.error(`Reading ${this.url} failed`, error));
    this.answerElement.dataset.startOffset = this.reader.startOffset ?? '-1';
  }

  apply(message) {
    switch (message.type) {
      case 'start':
        this.model = message.model;
        break;
      case 'token':
        if (message.index !== this.nextTokenIndex) {
          // The reader delivers each message once and in order, so this never happens; it is
          // counted so the end-to-end tests can prove it.
          this.anomalies++;
          console.error(`Answer ${this.url}: token ${message.index} arrived, expected`
            + ` ${this.nextTokenIndex}`);
          return;
        }
        this.text += message.text;
        this.textNode.appendData(message.text);
        this.nextTokenIndex++;
        break;
      case 'end':
      case 'error':
        this.outcome = { type: message.type, message: message.message ?? null };
        break;
      default:
        break;
    }
  }

  get finished() {
    return this.outcome !== null || this.status.state === ReaderState.DONE;
  }

  get live() {
    const { state } = this.status;
    return state === ReaderState.CONNECTING || state === ReaderState.STREAMING
      || state === ReaderState.DISCONNECTED;
  }

  startReplay() {
    if (this.replay || !this.finished) {
      return;
    }
    const queue = [];
    const replay = { state: 'running', offset: '-1', done: false, timer: null, origin: null };
    this.replay = replay;
    this.textNode.data = '';
    page.focus(this);

    const pump = () => {
      replay.timer = null;
      const now = performance.now();
      while (queue.length > 0) {
        const token = queue[0];
        replay.origin ??= { clock: now, elapsedMs: token.elapsedMs };
        const due = replay.origin.clock + (token.elapsedMs - replay.origin.elapsedMs) / REPLAY_SPEED;
        if (due > now) {
          replay.timer = setTimeout(pump, due - now);
          return;
        }
        this.textNode.appendData(token.text);
        queue.shift();
      }
      if (replay.done) {
        this.finishReplay();
      }
    };

    replay.reader = new DurableStreamReader(this.url, {
      format: 'json',
      live: TRANSPORT,
      onData: (messages, info) => {
        replay.offset = info.offset;
        queue.push(...messages.filter((message) => message.type === 'token'));
        if (replay.timer === null) {
          pump();
        }
      },
      onStatus: (status) => {
        replay.offset = status.offset;
        if (status.state === ReaderState.DONE) {
          replay.done = true;
          if (replay.timer === null) {
            pump();
          }
        }
        this.render();
      },
    });
    replay.reader.start().catch((error) => console.error(`Replaying ${this.url} failed`, error));
    this.render();
  }

  finishReplay() {
    this.replay.state = 'done';
    this.replay = null;
    this.answerElement.dataset.replay = 'done';
    this.render();
  }

  stop() {
    this.reader?.stop();
    if (this.replay) {
      clearTimeout(this.replay.timer);
      this.replay.reader.stop();
      this.replay = null;
    }
  }

  /** Returns the state for the status line, which is 'replaying' while a replay runs. */
  displayState() {
    if (this.replay) {
      return 'replaying';
    }
    if (this.status.state === ReaderState.DONE && this.outcome?.type === 'error') {
      return 'error';
    }
    return this.status.state;
  }

  render() {
    const state = this.displayState();
    const data = this.answerElement.dataset;
    data.state = this.status.state;
    data.offset = this.status.offset;
    data.tokens = String(this.nextTokenIndex);
    data.anomalies = String(this.anomalies);
    data.reconnects = String(this.status.reconnects ?? 0);
    data.transport = this.status.transport;
    if (this.outcome) {
      data.outcome = this.outcome.type;
    }
    if (this.replay) {
      data.replay = 'running';
    }

    this.pill.textContent = state;
    this.meta.textContent = `${this.model ?? ''} · ${this.nextTokenIndex} tokens`;
    this.errorElement.hidden = this.outcome?.type !== 'error';
    this.errorElement.textContent = this.outcome?.message ?? '';
    this.replayButton.disabled = this.replay !== null || !this.finished;
    if (page.focused === this) {
      renderStatusLine();
    }
    updateComposer();
  }
}

page.focus = (view) => {
  page.focused = view;
  renderStatusLine();
};

function renderStatusLine() {
  const view = page.focused;
  if (!view) {
    elements.statusLine.dataset.state = 'idle';
    elements.statusState.textContent = 'idle';
    elements.statusDetail.textContent = '';
    elements.drop.disabled = true;
    return;
  }
  const state = view.displayState();
  const status = view.status;
  const offset = view.replay ? view.replay.offset : status.offset;
  const parts = [`offset ${offset}`, status.transport === 'long-poll' ? 'long-poll' : 'SSE',
    `${view.nextTokenIndex} tokens`];
  if (status.reconnects > 0) {
    parts.push(`${status.reconnects} reconnect${status.reconnects === 1 ? '' : 's'}`);
  }
  if (status.state === ReaderState.DISCONNECTED && status.retryInMs !== null) {
    parts.push(`retry in ${(status.retryInMs / 1000).toFixed(1)} s`);
  }
  elements.statusLine.dataset.state = state;
  elements.statusState.textContent = state;
  elements.statusDetail.textContent = parts.join(' · ');
  elements.drop.disabled = !(status.state === ReaderState.STREAMING
    || status.state === ReaderState.CONNECTING);
}

function updateComposer() {
  const last = [...page.answers.values()].at(-1);
  const busy = page.sending || (last !== undefined && !last.finished);
  elements.send.disabled = busy;
}

function showError(message) {
  elements.formError.textContent = message;
  elements.formError.hidden = !message;
}

async function refreshList() {
  let list;
  try {
    list = await api('/api/conversations');
  } catch (error) {
    showError(`Loading conversations failed: ${error.message}`);
    return;
  }
  elements.conversationList.replaceChildren(...list.conversations.map((conversation) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.conversationId = conversation.id;
    button.setAttribute('aria-current', String(conversation.id === page.conversationId));
    const title = document.createElement('span');
    title.className = 'title';
    title.textContent = conversation.title ?? 'New conversation';
    const time = document.createElement('time');
    time.dateTime = conversation.createdAt;
    time.textContent = new Date(conversation.createdAt).toLocaleString();
    button.append(title, time);
    button.addEventListener('click', () => {
      location.hash = `#/c/${conversation.id}`;
      elements.sidebar.classList.remove('open');
    });
    item.append(button);
    return item;
  }));
  const current = list.conversations.find((conversation) => conversation.id === page.conversationId);
  if (current?.title) {
    elements.title.textContent = current.title;
  }
}

function closeConversation() {
  page.conversationReader?.stop();
  page.conversationReader = null;
  page.answers.forEach((view) => view.stop());
  page.answers.clear();
  page.focused = null;
  page.conversationId = null;
  elements.transcript.replaceChildren(elements.welcome);
  elements.welcome.hidden = false;
  elements.title.textContent = 'New conversation';
  renderStatusLine();
  updateComposer();
}

async function openConversation(id) {
  closeConversation();
  page.conversationId = id;
  let conversation;
  try {
    conversation = await api(`/api/conversations/${id}`);
  } catch (error) {
    showError(error.status === 404 ? 'That conversation does not exist.' : error.message);
    return;
  }
  if (page.conversationId !== id) {
    return;
  }
  elements.title.textContent = conversation.title ?? 'New conversation';
  // The conversation stream lists its prompts; following it live shows prompts sent from
  // another tab as well.
  page.conversationReader = new DurableStreamReader(conversation.streamUrl, {
    format: 'json',
    live: TRANSPORT,
    onData: (messages) => messages
      .filter((message) => message.type === 'prompt')
      .forEach(addExchange),
  });
  page.conversationReader.start().catch((error) => showError(error.message));
  refreshList();
}

function addExchange(prompt) {
  if (page.answers.has(prompt.index)) {
    return;
  }
  elements.welcome.hidden = true;
  const view = new AnswerView(prompt);
  page.answers.set(prompt.index, view);
  elements.transcript.append(view.element);
  view.follow();
  page.focus(view);
  view.element.scrollIntoView({ block: 'end' });
  if (prompt.index === 0) {
    elements.title.textContent = prompt.text;
    refreshList();
  }
}

async function send(text) {
  showError('');
  page.sending = true;
  updateComposer();
  try {
    let id = page.conversationId;
    if (!id) {
      id = (await api('/api/conversations', { method: 'POST', body: '{}' })).id;
      history.pushState(null, '', `#/c/${id}`);
      await openConversation(id);
    }
    await api(`/api/conversations/${id}/messages`, {
      method: 'POST',
      body: JSON.stringify({ prompt: text }),
    });
    elements.prompt.value = '';
  } catch (error) {
    showError(error.message);
  } finally {
    page.sending = false;
    updateComposer();
  }
}

function route() {
  const match = CONVERSATION_ROUTE.exec(location.hash);
  if (match) {
    if (match[1] !== page.conversationId) {
      openConversation(match[1]);
    }
  } else {
    closeConversation();
    refreshList();
  }
}

function bindEvents() {
  elements.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = elements.prompt.value.trim();
    if (text && !elements.send.disabled) {
      send(text);
    }
  });
  elements.prompt.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      elements.form.requestSubmit();
    }
  });
  document.querySelectorAll('.suggestion').forEach((button) => {
    button.addEventListener('click', () => {
      elements.prompt.value = button.textContent;
      elements.form.requestSubmit();
    });
  });
  elements.newConversation.addEventListener('click', () => {
    history.pushState(null, '', location.pathname + location.search);
    closeConversation();
    refreshList();
    elements.sidebar.classList.remove('open');
    elements.prompt.focus();
  });
  elements.drop.addEventListener('click', () => page.focused?.reader?.dropConnection());
  elements.toggleSidebar.addEventListener('click', () => {
    const open = elements.sidebar.classList.toggle('open');
    elements.toggleSidebar.setAttribute('aria-expanded', String(open));
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('popstate', route);
  window.addEventListener('focus', refreshList);
}

async function init() {
  bindEvents();
  try {
    const info = await api('/api/info');
    elements.provider.textContent = `Answers by ${info.providerName} (${info.model})`
      + (TRANSPORT === 'auto' ? '' : ` · ${TRANSPORT} only`);
  } catch (error) {
    elements.provider.textContent = 'Server not reachable';
    showError(error.message);
  }
  route();
  refreshList();
}

init();
