import { readEvents } from './events.js';
import { el, errorMessage, nextPage, timeElement } from './format.js';
import { drawThroughput } from './throughput-chart.js';

const TOKEN_KEY = 'kadr-admin-token';
const DEAD_PAGE = 20;
const $ = (id) => document.getElementById(id);

class NeedsToken extends Error {}

/** fetch() with the admin token, if one was given; a 401 asks for a token. */
async function adminFetch(url, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = new Headers(options.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  // Without a token the API takes an admin POST only as JSON, which a cross-site form cannot send.
  if (options.method === 'POST') headers.set('content-type', 'application/json');
  const response = await fetch(url, { ...options, headers });
  if (response.status === 401) {
    askForToken(token ? 'That token was refused.' : '');
    throw new NeedsToken();
  }
  return response;
}

function askForToken(message) {
  $('token-form').hidden = false;
  $('panels').hidden = true;
  $('token-error').textContent = message;
  $('token').focus();
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  $('token-form').hidden = true;
  $('panels').hidden = false;
  start();
});

const fmt = (ms) => (ms === null ? '–' : ms < 10 ? ms.toFixed(1) : String(Math.round(ms)));
const shortStream = (key) => key.split(':').pop();

let lastDead = null;

function render(s) {
  const dead = s.streams.find((x) => x.name === 'dead');
  $('total-done').textContent = String(s.totals.done);
  $('total-failed').textContent = String(s.totals.failed);
  $('minute-done').textContent = String(s.throughput.done.slice(-60).reduce((a, b) => a + b, 0));
  $('dead-length').textContent = String(dead ? dead.length : 0);

  $('queues').replaceChildren(
    ...s.streams.flatMap((stream) => {
      const groups = stream.groups.length ? stream.groups : [null];
      return groups.map((g, i) =>
        el(
          'tr',
          { 'data-stream': stream.name },
          el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, i === 0 ? stream.name : ''),
          el('td', { class: 'num' }, i === 0 ? stream.length : ''),
          el('td', {}, g ? g.name : '—'),
          el('td', { class: 'num' }, g ? g.pending : '—'),
          // Live workers only; a name the group still knows but no live worker has is shown apart.
          el('td', { class: 'num' }, g ? (g.idle_consumers ? `${g.consumers} (+${g.idle_consumers} idle)` : g.consumers) : '—'),
        ),
      );
    }),
  );

  $('workers').replaceChildren(
    ...(s.workers.length
      ? s.workers.map((w) =>
          el(
            'tr',
            { 'data-kind': w.kind },
            el('th', { scope: 'row' }, w.consumer),
            el('td', {}, w.kind),
            el('td', {}, w.host),
            el('td', { class: 'num' }, w.pid),
            el('td', {}, el('time', { datetime: w.last_heartbeat }, `${Math.max(0, Math.round((Date.parse(s.at) - Date.parse(w.last_heartbeat)) / 1000))} s ago`)),
            el('td', { class: 'num' }, w.jobs_done),
            el('td', { class: 'num' }, w.jobs_failed),
          ),
        )
      : [el('tr', {}, el('td', { colspan: 7 }, 'No worker has sent a heartbeat in the last 30 s.'))]),
  );

  $('latency').replaceChildren(
    ...Object.entries(s.latency).map(([stage, l]) =>
      el('tr', {}, el('th', { scope: 'row' }, stage), el('td', { class: 'num' }, fmt(l.p50)), el('td', { class: 'num' }, fmt(l.p95)),
        el('td', { class: 'num' }, fmt(l.p99)), el('td', { class: 'num' }, l.samples)),
    ),
  );

  const errors = Object.entries(s.errors).sort((a, b) => b[1] - a[1]);
  // Outages the workers are waiting out: no job has failed, but none moves either.
  const outages = s.workers.filter((w) => w.outage).map((w) =>
    el('tr', { class: 'outage' }, el('th', { scope: 'row' }, w.outage.code),
      el('td', {}, `${w.consumer} retrying in place since `, timeElement(w.outage.since), `: ${w.outage.message}`)));
  $('errors').replaceChildren(
    ...outages,
    ...(errors.length
      ? errors.map(([code, n]) => el('tr', {}, el('th', { scope: 'row' }, code), el('td', { class: 'num' }, n)))
      : outages.length ? [] : [el('tr', {}, el('td', { colspan: 2 }, 'No failures.'))]),
  );

  drawThroughput($('throughput'), s.throughput);
  $('updated').replaceChildren('Updated ', timeElement(s.at), '.');

  const deadKey = `${dead ? dead.length : 0}/${s.totals.failed}`;
  if (deadKey !== lastDead) {
    lastDead = deadKey;
    void loadDead();
  }
}

let deadNext = null;

async function loadDead(url = `/api/admin/dead?limit=${DEAD_PAGE}`, append = false) {
  let response;
  try {
    response = await adminFetch(url);
  } catch (err) {
    if (!(err instanceof NeedsToken)) $('dead-status').textContent = 'Dead letters could not be loaded.';
    return;
  }
  if (!response.ok) {
    $('dead-status').textContent = `Dead letters could not be loaded: ${await errorMessage(response)}`;
    return;
  }
  const letters = await response.json();
  deadNext = nextPage(response);
  $('dead-more').hidden = deadNext === null;
  const rows = letters.map(deadRow);
  if (append) $('dead').append(...rows);
  else $('dead').replaceChildren(...rows);
  if (!append && letters.length === 0) $('dead').replaceChildren(el('tr', {}, el('td', { colspan: 6 }, 'No dead letters.')));
}

function deadRow(d) {
  const job = d.job_id ?? '(no id)';
  const retry = el('button', { type: 'button', class: 'retry', 'aria-label': `Retry job ${job}` }, 'Retry');
  const discard = el('button', { type: 'button', class: 'discard', 'aria-label': `Discard job ${job}` }, 'Discard');
  retry.addEventListener('click', () => act(d, 'retry'));
  discard.addEventListener('click', () => act(d, 'discard'));
  return el(
    'tr',
    { 'data-entry': d.entry_id, 'data-job': d.job_id ?? '' },
    el('td', {}, timeElement(d.failed_at)),
    el('td', {}, el('code', {}, job), d.description === null ? null : el('div', { class: 'hint' }, d.description)),
    el('td', {}, shortStream(d.source)),
    el('td', {}, el('code', {}, d.error.code), ' ', d.error.message),
    el('td', { class: 'num' }, d.deliveries),
    el('td', { class: 'actions' }, retry, ' ', discard),
  );
}

async function act(letter, action) {
  const url = action === 'retry' ? `/api/admin/dead/${letter.entry_id}/retry` : `/api/admin/dead/${letter.entry_id}`;
  let response;
  try {
    response = await adminFetch(url, { method: action === 'retry' ? 'POST' : 'DELETE' });
  } catch (err) {
    if (!(err instanceof NeedsToken)) $('dead-status').textContent = 'The request failed (network error).';
    return;
  }
  const job = letter.job_id ?? letter.entry_id;
  $('dead-status').textContent = response.ok
    ? action === 'retry'
      ? `Job ${job} was put back on ${shortStream(letter.source)}.`
      : `Dead letter of job ${job} was discarded.`
    : `Could not ${action} job ${job}: ${await errorMessage(response)}`;
  await loadDead();
}

$('dead-more').addEventListener('click', () => deadNext && loadDead(deadNext, true));

let feed = null;

/** Opens the pushed statistics stream; reconnects a second after it drops. */
async function start() {
  feed?.abort();
  const controller = new AbortController();
  feed = controller;
  try {
    const response = await adminFetch('/api/admin/stats/events', { signal: controller.signal });
    if (!response.ok) throw new Error(await errorMessage(response));
    await readEvents(response, (name, data) => name === 'stats' && render(data), controller.signal);
  } catch (err) {
    if (err instanceof NeedsToken || controller.signal.aborted) return;
    $('updated').textContent = `Connection lost (${err.message}); reconnecting…`;
  }
  if (feed === controller) setTimeout(() => feed === controller && start(), 1000);
}

start();
