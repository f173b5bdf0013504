// The hand-off desk. Customer text only ever goes into the page as text (textContent), never as markup.
'use strict';
(() => {
  const KEY = 'kefu.desk.apiKey';
  const $ = (id) => document.getElementById(id);
  let feed = null;

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  const apiKey = () => sessionStorage.getItem(KEY);

  async function api(method, path) {
    const init = { method, headers: { Authorization: 'Bearer ' + apiKey() } };
    if (method === 'POST') {
      init.headers['Content-Type'] = 'application/json';
      init.body = '{}';
    }
    const response = await fetch(path, init);
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new ApiError(response.status, (body.error && body.error.message) || response.statusText);
    }
    return body;
  }

  function element(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function line(who, className, text) {
    const li = element('li', className);
    li.append(element('span', 'who', who), document.createTextNode(text));
    return li;
  }

  function handoffItem(h) {
    const item = element('li', 'handoff');
    item.dataset.id = String(h.id);
    item.dataset.status = h.status;
    item.append(element('h2', null, '#' + h.id + ' · ' + h.reason + ' · ' + new Date(h.createdAt).toLocaleString()
        + ' · ' + h.status));
    item.append(element('p', 'trigger', h.question));
    const conversation = element('ol', 'conversation');
    for (const turn of h.conversation) {
      conversation.append(line('customer', 'customer', turn.question), line('assistant', 'assistant', turn.answer));
    }
    item.append(conversation);
    if (h.status === 'open') item.append(actionButton(h.id, 'claim', 'Claim'));
    if (h.status !== 'closed') item.append(actionButton(h.id, 'close', 'Close'));
    return item;
  }

  function actionButton(id, action, label) {
    const button = element('button', action, label);
    button.type = 'button';
    button.addEventListener('click', () => act(id, action));
    return button;
  }

  async function act(id, action) {
    try {
      await api('POST', '/handoffs/' + encodeURIComponent(id) + '/' + action);
      say('');
    } catch (e) {
      failed(e);
    }
    await load();
  }

  async function load() {
    try {
      const body = await api('GET', '/handoffs?status=' + encodeURIComponent($('status').value));
      $('queue').replaceChildren(...body.handoffs.map(handoffItem));
      $('empty').hidden = body.handoffs.length > 0;
    } catch (e) {
      failed(e);
    }
  }

  function say(text) {
    $('message').textContent = text;
  }

  function failed(e) {
    if (e instanceof ApiError && e.status === 401) {
      signOut();
      say('The API key was not accepted.');
    } else {
      say(e.message);
    }
  }

  function feedState(state) {
    $('feed-state').textContent = state;
    $('feed-state').className = 'feed ' + state;
  }

  // EventSource cannot send the key, so the feed is read with fetch; every event reloads the queue.
  async function follow(controller) {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch('/handoffs/feed', { headers: { Authorization: 'Bearer ' + apiKey() }, signal: controller.signal });
        if (!response.ok) {
          const body = await response.json().catch(() => ({}));
          throw new ApiError(response.status, (body.error && body.error.message) || response.statusText);
        }
        feedState('live');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (/^event: (ready|handoff)$/m.test(event)) await load();
          }
        }
      } catch (e) {
        if (controller.signal.aborted) return;
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          failed(e);
          return;
        }
      }
      feedState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }

  function signIn() {
    $('sign-in').hidden = true;
    $('desk').hidden = false;
    say('');
    feed = new AbortController();
    follow(feed);
  }

  function signOut() {
    sessionStorage.removeItem(KEY);
    if (feed) feed.abort();
    feed = null;
    feedState('offline');
    $('queue').replaceChildren();
    $('desk').hidden = true;
    $('sign-in').hidden = false;
  }

  $('sign-in').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, $('key').value);
    $('key').value = '';
    signIn();
  });
  $('sign-out').addEventListener('click', signOut);
  $('refresh').addEventListener('click', load);
  $('status').addEventListener('change', load);
  if (apiKey()) signIn();
})();
