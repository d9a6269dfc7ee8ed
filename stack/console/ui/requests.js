// Requests: the live S3 request log, filterable; every denied request opens, in one click, into
// the decision that refused it and what decided it.
import { getJson } from './api.js';
import { clear, emptyState, formatTime, h } from './dom.js';

const MAX_ROWS = 1000;

function decidedByText(by) {
  if (!by) return '';
  switch (by.policy) {
    case 'identity':
      return `identity policy '${by.name}'${by.sid ? `, statement '${by.sid}'` : by.index !== undefined ? `, statement #${by.index + 1}` : ''}`;
    case 'bucket':
      return `bucket policy of '${by.name}'${by.sid ? `, statement '${by.sid}'` : by.index !== undefined ? `, statement #${by.index + 1}` : ''}`;
    case 'block-public-access':
      return `Block Public Access (${by.name ?? 'RestrictPublicBuckets'})${by.sid ? ` over statement '${by.sid}'` : ''}`;
    case 'root':
      return 'the account root user';
    default:
      return 'no statement allowed it (implicit deny)';
  }
}

export function requestsPage({ bus, navigate }) {
  const s = {
    entries: [],
    q: '',
    principal: '',
    denied: false,
    console: false,
    open: new Set(),
    paused: false,
  };
  const listeners = [];
  let tbody;
  let countEl;
  let principalSelect;

  function visible(e) {
    if (!s.console && e.console) return false;
    if (s.denied && !e.denied) return false;
    if (s.principal && e.principal !== s.principal) return false;
    if (s.q) {
      const hay = [
        e.principal,
        e.operation,
        e.bucket ?? '',
        e.key ?? '',
        String(e.status),
        e.errorCode ?? '',
        ...e.decisions.map((d) => d.reason),
      ]
        .join('\n')
        .toLowerCase();
      if (!hay.includes(s.q)) return false;
    }
    return true;
  }

  function row(e) {
    const target = e.bucket ? `${e.bucket}${e.key !== undefined ? `/${e.key}` : ''}` : '—';
    const tr = h(
      'tr',
      {
        class: `req${e.denied ? ' denied' : e.status >= 400 ? ' failed' : ''}${s.open.has(e.id) ? ' open' : ''}`,
        dataset: { id: e.id },
        onclick: () => toggle(e.id),
      },
      h('td', { class: 'time' }, formatTime(e.time, true)),
      h('td', null, e.principal, e.console ? h('span', { class: 'pill tiny' }, 'console') : null),
      h('td', null, e.operation),
      h('td', { class: 'target', title: target }, target),
      h(
        'td',
        null,
        h('span', { class: `status s${String(e.status)[0]}` }, String(e.status)),
        e.errorCode ? h('span', { class: 'muted' }, ` ${e.errorCode}`) : null,
      ),
      h('td', { class: 'num' }, `${e.durationMs} ms`),
      h(
        'td',
        null,
        e.denied ? h('button', { type: 'button', class: 'why' }, s.open.has(e.id) ? 'Hide' : 'Why?') : null,
      ),
    );
    if (!s.open.has(e.id)) return [tr];
    return [tr, detailRow(e)];
  }

  function detailRow(e) {
    const denied = e.decisions.filter((d) => !d.allowed);
    return h(
      'tr',
      { class: 'req-detail', dataset: { detailFor: e.id } },
      h(
        'td',
        { colspan: '7' },
        h(
          'div',
          { class: 'why-box' },
          denied.length
            ? denied.map((d) =>
                h(
                  'div',
                  { class: 'decision' },
                  h('div', { class: 'reason' }, d.reason),
                  h(
                    'dl',
                    null,
                    h('dt', null, 'Principal'),
                    h('dd', null, e.principal),
                    h('dt', null, 'Action'),
                    h('dd', null, d.action),
                    h('dt', null, 'Resource'),
                    h('dd', null, d.resource),
                    h('dt', null, 'Decided by'),
                    h('dd', null, decidedByText(d.decidedBy)),
                  ),
                ),
              )
            : h(
                'div',
                { class: 'reason' },
                e.explanation ??
                  `${e.errorCode ?? `HTTP ${e.status}`}: refused before any policy was evaluated.`,
              ),
          e.explanation && denied.length ? h('p', { class: 'muted' }, e.explanation) : null,
          e.decisions.some((d) => d.allowed)
            ? h(
                'p',
                { class: 'muted' },
                'Also asked: ',
                e.decisions
                  .filter((d) => d.allowed)
                  .map((d) => `${d.action} (allowed)`)
                  .join(', '),
              )
            : null,
          h('p', { class: 'muted small' }, `${e.method} ${e.path} · request id ${e.id}`),
          e.bucket
            ? h(
                'a',
                { href: `#/storage/${encodeURIComponent(e.bucket)}?view=settings` },
                'See the bucket’s policy, Block Public Access and CORS →',
              )
            : null,
        ),
      ),
    );
  }

  function toggle(id) {
    if (s.open.has(id)) s.open.delete(id);
    else s.open.add(id);
    render();
  }

  function render() {
    const shown = s.entries.filter(visible);
    countEl.textContent = `${shown.length} of ${s.entries.length} request${s.entries.length === 1 ? '' : 's'}`;
    if (shown.length === 0) {
      clear(
        tbody,
        h(
          'tr',
          null,
          h(
            'td',
            { colspan: '7' },
            emptyState(
              s.entries.length ? 'No request matches the filter' : 'No S3 requests yet',
              'Requests appear here live as clients call the S3 endpoint.',
            ),
          ),
        ),
      );
    } else clear(tbody, shown.flatMap(row));
    const have = new Set([...principalSelect.options].map((o) => o.value));
    for (const p of new Set(s.entries.map((e) => e.principal))) {
      if (!have.has(p)) principalSelect.appendChild(h('option', { value: p }, p));
    }
  }

  return {
    async mount(root) {
      const search = h('input', {
        type: 'search',
        class: 'search',
        placeholder: 'Filter: key, operation, status, reason…',
        'aria-label': 'Filter requests',
        oninput: () => {
          s.q = search.value.trim().toLowerCase();
          render();
        },
      });
      principalSelect = h(
        'select',
        {
          'aria-label': 'Principal',
          onchange: () => {
            s.principal = principalSelect.value;
            render();
          },
        },
        h('option', { value: '' }, 'All principals'),
      );
      const deniedBox = h('input', {
        type: 'checkbox',
        id: 'denied-only',
        onchange: () => {
          s.denied = deniedBox.checked;
          render();
        },
      });
      const consoleBox = h('input', {
        type: 'checkbox',
        id: 'show-console',
        onchange: () => {
          s.console = consoleBox.checked;
          render();
        },
      });
      countEl = h('span', { class: 'muted count' });
      tbody = h('tbody');
      clear(
        root,
        h(
          'div',
          { class: 'requests' },
          h(
            'div',
            { class: 'toolbar' },
            search,
            principalSelect,
            h('label', { class: 'check' }, deniedBox, ' Denied only'),
            h(
              'label',
              { class: 'check', title: 'The console reads as root while you browse Storage' },
              consoleBox,
              ' Show the console’s own requests',
            ),
            h('span', { class: 'spacer' }),
            countEl,
          ),
          h(
            'table',
            { class: 'grid requests-table' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['Time', 'Principal', 'Operation', 'Bucket / key', 'Status', 'Duration', ''].map((t, i) =>
                  h('th', { class: i === 5 ? 'num' : '' }, t),
                ),
              ),
            ),
            tbody,
          ),
        ),
      );
      const onRequest = (e) => {
        s.entries.unshift(e.detail);
        if (s.entries.length > MAX_ROWS) s.entries.length = MAX_ROWS;
        render();
      };
      bus.addEventListener('s3-request', onRequest);
      listeners.push(['s3-request', onRequest]);
      const load = async () => {
        try {
          const data = await getJson('/api/stack/requests?console=1&limit=1000');
          const seen = new Set(s.entries.map((e) => e.id));
          const merged = [...s.entries, ...data.requests.filter((e) => !seen.has(e.id))];
          s.entries = merged
            .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0))
            .slice(0, MAX_ROWS);
        } catch (err) {
          clear(tbody, h('tr', null, h('td', { colspan: '7' }, emptyState('No request log', err.message))));
          return;
        }
        render();
      };
      // (Re)connected to the live stream: fetch what may have been missed meanwhile.
      bus.addEventListener('s3-ready', load);
      listeners.push(['s3-ready', load]);
      await load();
    },
    unmount() {
      for (const [type, fn] of listeners) bus.removeEventListener(type, fn);
    },
  };
}
