// @ts-check
// The operator page: polls /operator/state.json and acts through the operator API (OperatorApi).
const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
// The key arrives in the address (#key=…, never sent to any server) and leaves it at once, so that
// it is not kept in the history, a bookmark or a shared screen; the tab remembers it.
const key = new URLSearchParams(location.hash.slice(1)).get('key') ?? sessionStorage.getItem('p2pc-operator-key') ?? '';
if (location.hash) {
  sessionStorage.setItem('p2pc-operator-key', key);
  history.replaceState(null, '', location.pathname + location.search);
}
const headers = { Authorization: `Bearer ${key}` };

/** @param {string} path @param {string} [method] */
async function call(path, method = 'GET') {
  const r = await fetch(`/operator/${path}`, { method, headers });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
  return body;
}

/** @param {string} text @param {() => Promise<any>} action */
function button(text, action) {
  const b = document.createElement('button');
  b.textContent = text;
  b.addEventListener('click', () => action().then(refresh, (e) => { $('op-error').textContent = String(e.message); }));
  return b;
}

/** @param {HTMLElement} body @param {(string | HTMLElement)[][]} rows */
function fill(body, rows) {
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement('tr');
    for (const c of cells) { const td = document.createElement('td'); td.append(c); tr.append(td); }
    return tr;
  }));
}

async function refresh() {
  try {
    const s = await call('state.json');
    $('op-error').textContent = '';
    fill($('pending'), s.pending.map((/** @type {any} */ p) => [p.id, p.peer, p.stream, (() => {
      const span = document.createElement('span');
      span.append(button('Approve', () => call(`approve?id=${encodeURIComponent(p.id)}`, 'POST')), ' ',
        button('Deny', () => call(`deny?id=${encodeURIComponent(p.id)}`, 'POST')));
      return span;
    })()]));
    fill($('live'), s.contributions.map((/** @type {any} */ c) => [c.stream, c.peer,
      button('Revoke', () => call(`revoke?stream=${encodeURIComponent(c.stream)}`, 'POST'))]));
    fill($('streams'), s.streams.map((/** @type {any} */ st) => [st.id + (st.contributor ? ' (contributed)' : ''), st.sources.join(', ') || '—']));
  } catch (e) {
    $('op-error').textContent = String(/** @type {Error} */ (e).message);
  }
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const stream = /** @type {HTMLInputElement} */ ($('token-stream')).value;
  call(`token?stream=${encodeURIComponent(stream)}`, 'POST').then((t) => {
    const link = `${location.origin}/?contribute=${encodeURIComponent(stream)}&token=${encodeURIComponent(t.token)}`;
    $('token-out').innerHTML = '';
    const a = document.createElement('a');
    a.href = link; a.textContent = `open the page as contributor of ${stream}`; a.target = '_blank';
    $('token-out').append(a, ` (valid ${t.expiresInSeconds} s, once)`);
  }, (err) => { $('token-out').textContent = String(err.message); });
});

refresh();
setInterval(refresh, 1000);
