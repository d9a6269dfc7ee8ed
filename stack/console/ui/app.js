// The console shell: hash routing between pages, the two live event streams (mail and S3), and
// the badges in the top bar.
import { getJson, liveEvents } from './api.js';
import { clear, emptyState } from './dom.js';
import { mailPage } from './mail.js';
import { overviewPage } from './overview.js';
import { requestsPage } from './requests.js';
import { storagePage } from './storage.js';

const bus = new EventTarget();
const state = { features: { mail: true, storage: true, requests: true }, overview: null };
const pages = { mail: mailPage, storage: storagePage, requests: requestsPage, overview: overviewPage };
let current = { name: '', page: null };

function parseRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || 'mail', parts: parts.slice(1), query: new URLSearchParams(query) };
}

export function navigate(hash, replace = false) {
  if (replace) history.replaceState(null, '', hash);
  else history.pushState(null, '', hash);
  render();
}

function render() {
  const route = parseRoute();
  const root = document.getElementById('page');
  for (const a of document.querySelectorAll('.tabs a')) {
    a.classList.toggle('active', a.dataset.page === route.name);
    if (a.dataset.page === route.name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const factory = pages[route.name];
  if (!factory) {
    clear(root, emptyState('No such page', `#/${route.name}`));
    return;
  }
  if (current.name === route.name && current.page?.update) {
    current.page.update(route);
    return;
  }
  current.page?.unmount?.();
  current = { name: route.name, page: factory({ bus, state, navigate }) };
  document.title = `${route.name[0].toUpperCase()}${route.name.slice(1)} · Stack console`;
  current.page.mount(root, route);
}

function setLive(which, open) {
  state.live = { ...state.live, [which]: open };
  const el = document.getElementById('live-status');
  const all = Object.values(state.live);
  const ok = all.every(Boolean);
  el.textContent = ok ? '● live' : '○ reconnecting';
  el.classList.toggle('down', !ok);
}

function startStreams() {
  state.live = {};
  if (state.features.mail) {
    liveEvents(
      '/api/v1/events',
      {
        new: (m) => {
          bus.dispatchEvent(new CustomEvent('mail-new', { detail: m }));
          if (current.name !== 'mail') bump('mail-badge');
        },
        deleted: (d) => bus.dispatchEvent(new CustomEvent('mail-deleted', { detail: d })),
        // (Re)connected: pages reload once so nothing that arrived while the stream was down is missed.
        ready: () => bus.dispatchEvent(new CustomEvent('mail-ready')),
      },
      (open) => setLive('mail', open),
    );
  }
  if (state.features.storage || state.features.requests) {
    liveEvents(
      '/api/stack/events',
      {
        request: (r) => {
          bus.dispatchEvent(new CustomEvent('s3-request', { detail: r }));
          if (r.denied && !r.console && current.name !== 'requests') bump('denied-badge');
        },
        'object-created': (o) => bus.dispatchEvent(new CustomEvent('object-created', { detail: o })),
        'object-removed': (o) => bus.dispatchEvent(new CustomEvent('object-removed', { detail: o })),
        ready: () => bus.dispatchEvent(new CustomEvent('s3-ready')),
      },
      (open) => setLive('s3', open),
    );
  }
}

function bump(id) {
  const el = document.getElementById(id);
  el.textContent = String(Number(el.textContent || '0') + 1);
  el.hidden = false;
}

function clearBadgeFor(name) {
  const id = name === 'mail' ? 'mail-badge' : name === 'requests' ? 'denied-badge' : undefined;
  if (!id) return;
  const el = document.getElementById(id);
  el.textContent = '';
  el.hidden = true;
}

async function start() {
  window.addEventListener('hashchange', () => {
    clearBadgeFor(parseRoute().name);
    render();
  });
  window.addEventListener('popstate', render);
  clearBadgeFor(parseRoute().name);
  // The page renders at once; which sides exist only decides which live streams to open.
  render();
  try {
    const overview = await getJson('/api/stack/overview');
    state.overview = overview;
    state.features = overview.features;
  } catch {
    // the pages say what is missing
  }
  for (const a of document.querySelectorAll('.tabs a')) {
    a.classList.toggle('unavailable', state.features[a.dataset.page] === false);
  }
  startStreams();
  document.documentElement.dataset.ready = 'true';
}

start();
