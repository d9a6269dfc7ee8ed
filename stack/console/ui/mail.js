// Mail: the live inbox (newest first, search, scopes) and the message view. A captured email is
// hostile input: its HTML is rendered only inside a sandboxed iframe whose document the server
// serves with a sandboxing CSP (no scripts, no network unless remote images are asked for), and
// everything else is shown as text.
import { getJson, getText, send } from './api.js';
import {
  address,
  clear,
  copyButton,
  emptyState,
  formatBytes,
  formatTime,
  h,
  keyValueTable,
  safeHref,
  tabStrip,
  toast,
} from './dom.js';
import {
  createVerdictCache,
  listVerdict,
  verdictDetails,
  verdictStrip,
  verdictsUnavailable,
  watchListVerdicts,
} from './mail-auth.js';

const REMOTE_IN_HTML =
  /(?:src|background|srcset)\s*=\s*["']?\s*(?:https?:)?\/\/|url\(\s*["']?\s*(?:https?:)?\/\//i;

export function mailPage({ bus, navigate }) {
  const s = {
    messages: [],
    total: 0,
    query: '',
    scope: '',
    scopes: new Set(),
    selected: null,
    message: null,
    tab: 'html',
    remote: false,
    listEl: null,
    viewEl: null,
    countEl: null,
    scopeSelect: null,
    refreshTimer: null,
    verdicts: createVerdictCache(),
    listVerdicts: null,
  };
  const listeners = [];

  function on(type, fn) {
    bus.addEventListener(type, fn);
    listeners.push([type, fn]);
  }

  async function loadList() {
    const params = new URLSearchParams({ limit: '200' });
    if (s.scope) params.set('scope', s.scope);
    let data;
    try {
      if (s.query.trim()) {
        params.set('query', s.query.trim());
        data = await getJson(`/api/v1/search?${params}`);
      } else data = await getJson(`/api/v1/messages?${params}`);
    } catch (err) {
      clear(s.listEl, emptyState('Mail API unavailable', err.message));
      return;
    }
    s.messages = data.messages;
    s.total = data.messages_count;
    for (const m of data.messages) for (const sc of m.Scopes ?? []) s.scopes.add(sc);
    renderScopes();
    renderList();
  }

  function scheduleReload() {
    clearTimeout(s.refreshTimer);
    s.refreshTimer = setTimeout(loadList, 120);
  }

  function renderScopes() {
    const sel = s.scopeSelect;
    const have = new Set([...sel.options].map((o) => o.value));
    for (const sc of [...s.scopes].sort()) {
      if (!have.has(sc)) sel.appendChild(h('option', { value: sc }, sc));
    }
  }

  function renderList() {
    s.countEl.textContent = `${s.total} message${s.total === 1 ? '' : 's'}`;
    if (s.messages.length === 0) {
      s.listVerdicts.observe();
      clear(
        s.listEl,
        emptyState(
          s.query ? 'No message matches' : 'No mail yet',
          s.query ? 'Try another search.' : 'Mail the app sends over SMTP shows up here as it arrives.',
        ),
      );
      return;
    }
    clear(s.listEl, ...s.messages.map(listItem));
    s.listVerdicts.observe();
  }

  function listItem(m) {
    const from = m.From ? m.From.Name || m.From.Address : '(no sender)';
    const to = (m.To ?? []).map((a) => a.Address).join(', ');
    const verdicts = s.verdicts.peek(m.ID);
    return h(
      'button',
      {
        type: 'button',
        class: `mail-item${m.Read ? '' : ' unread'}${s.selected === m.ID ? ' selected' : ''}`,
        dataset: { id: m.ID },
        onclick: () => navigate(`#/mail/${encodeURIComponent(m.ID)}`),
      },
      h(
        'div',
        { class: 'mail-item-top' },
        h('span', { class: 'from' }, from),
        h('span', { class: 'mail-auth' }, verdicts ? listVerdict(verdicts) : null),
        h('span', { class: 'time' }, formatTime(m.Created)),
      ),
      h(
        'div',
        { class: 'subject' },
        m.Subject || '(no subject)',
        m.Attachments
          ? h(
              'span',
              { class: 'pill tiny clip', title: `${m.Attachments} attachment(s)` },
              `${m.Attachments} file${m.Attachments === 1 ? '' : 's'}`,
            )
          : null,
      ),
      h('div', { class: 'snippet' }, m.Snippet || ''),
      h('div', { class: 'to muted' }, to ? `to ${to}` : ''),
    );
  }

  async function openMessage(id) {
    s.selected = id;
    s.remote = false;
    for (const el of s.listEl.querySelectorAll('.mail-item')) {
      el.classList.toggle('selected', el.dataset.id === id);
      if (el.dataset.id === id) el.classList.remove('unread');
    }
    clear(s.viewEl, h('p', { class: 'muted pad' }, 'Loading…'));
    try {
      s.message = await getJson(`/api/v1/message/${encodeURIComponent(id)}`);
    } catch (err) {
      clear(s.viewEl, emptyState('Message not found', err.message));
      return;
    }
    if (s.selected !== id) return;
    s.tab = s.message.HTML ? 'html' : 'text';
    renderMessage();
  }

  function renderMessage() {
    const m = s.message;
    const id = encodeURIComponent(m.ID);
    const body = h('div', { class: 'message-body' });
    // Declared below; only clicked once the header is on screen.
    const openAuth = () => tabs.querySelector('[data-tab="auth"]')?.click();
    const authSlot = h('span', { class: 'auth-slot muted' }, 'Checking…');
    s.verdicts.get(m.ID).then(
      (v) => {
        if (s.message === m) authSlot.replaceChildren(verdictStrip(v, openAuth));
      },
      (err) => {
        if (s.message === m) authSlot.replaceChildren(`unavailable (${err.message})`);
      },
    );
    const header = h(
      'div',
      { class: 'message-header' },
      h(
        'div',
        { class: 'message-actions' },
        h('a', { class: 'button', href: `/api/v1/message/${id}/raw?dl=1`, download: '' }, 'Download .eml'),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async () => {
              await send('DELETE', '/api/v1/messages', { IDs: [m.ID] });
              toast('Message deleted');
              navigate('#/mail');
            },
          },
          'Delete',
        ),
      ),
      h('h2', { class: 'message-subject' }, m.Subject || '(no subject)'),
      keyValueTable([
        ['From', address(m.From)],
        ['To', (m.To ?? []).map(address).join(', ')],
        ['Cc', (m.Cc ?? []).map(address).join(', ')],
        ['Bcc', (m.Bcc ?? []).map(address).join(', ')],
        ['Reply-To', (m.ReplyTo ?? []).map(address).join(', ')],
        ['Date', m.Date ? new Date(m.Date).toLocaleString() : ''],
        ['Size', formatBytes(m.Size)],
        ['Authentication', authSlot],
      ]),
      attachmentList(m),
    );
    const tabs = tabStrip(
      [
        ['html', 'HTML'],
        ['text', 'Text'],
        ['headers', 'Headers'],
        ['auth', 'Authentication'],
        ['raw', 'Raw'],
        ['links', 'Links & codes'],
        ['session', 'Envelope & session'],
      ],
      s.tab,
      (name) => {
        s.tab = name;
        renderTab(body);
      },
    );
    clear(s.viewEl, header, tabs, body);
    renderTab(body);
  }

  function attachmentList(m) {
    const all = [...(m.Attachments ?? []), ...(m.Inline ?? [])];
    if (all.length === 0) return null;
    return h(
      'div',
      { class: 'attachments' },
      all.map((a) =>
        h(
          'a',
          {
            class: 'attachment',
            href: `/api/v1/message/${encodeURIComponent(m.ID)}/part/${encodeURIComponent(a.PartID)}`,
            download: '',
            title: `${a.ContentType} · SHA-256 ${a.Checksums?.SHA256 ?? ''}`,
          },
          h('span', { class: 'attachment-name' }, a.FileName || a.ContentID || `part ${a.PartID}`),
          h('span', { class: 'muted' }, ` ${formatBytes(a.Size)}`),
        ),
      ),
    );
  }

  async function renderTab(body) {
    const m = s.message;
    const id = encodeURIComponent(m.ID);
    if (s.tab === 'html') {
      if (!m.HTML) {
        clear(body, emptyState('No HTML part', 'See the Text tab.'));
        return;
      }
      const hasRemote = REMOTE_IN_HTML.test(m.HTML);
      const frame = h('iframe', {
        class: 'mail-frame',
        title: 'Email HTML (sandboxed)',
        sandbox: '',
        referrerpolicy: 'no-referrer',
        src: `/api/stack/mail/${id}/html${s.remote ? '?remote=1' : ''}`,
      });
      const notice = hasRemote
        ? h(
            'div',
            { class: `notice${s.remote ? ' ok' : ''}` },
            s.remote
              ? 'Remote images are loaded for this message.'
              : 'Remote images are blocked so the sender cannot see that you opened this mail.',
            s.remote
              ? null
              : h(
                  'button',
                  {
                    type: 'button',
                    id: 'load-remote-images',
                    onclick: () => {
                      s.remote = true;
                      renderTab(body);
                    },
                  },
                  'Load remote images',
                ),
          )
        : null;
      clear(body, notice, frame);
      return;
    }
    if (s.tab === 'text') {
      clear(body, m.Text ? h('pre', { class: 'text-part' }, m.Text) : emptyState('No text part'));
      return;
    }
    if (s.tab === 'headers') {
      clear(body, h('p', { class: 'muted pad' }, 'Loading…'));
      const headers = await getJson(`/api/v1/message/${id}/headers`);
      const rows = [];
      for (const [name, values] of Object.entries(headers)) for (const v of values) rows.push([name, v]);
      clear(body, keyValueTable(rows));
      return;
    }
    if (s.tab === 'auth') {
      clear(body, h('p', { class: 'muted pad' }, 'Checking…'));
      let view;
      try {
        view = verdictDetails(await s.verdicts.get(m.ID));
      } catch (err) {
        view = verdictsUnavailable(err);
      }
      if (s.message === m && s.tab === 'auth') clear(body, view);
      return;
    }
    if (s.tab === 'raw') {
      clear(body, h('p', { class: 'muted pad' }, 'Loading…'));
      const raw = await getText(`/api/v1/message/${id}/raw`);
      const shown = raw.length > 2_000_000 ? `${raw.slice(0, 2_000_000)}\n… (cut: download the .eml)` : raw;
      clear(
        body,
        h('div', { class: 'right' }, copyButton(raw, 'Copy source')),
        h('pre', { class: 'raw' }, shown),
      );
      return;
    }
    if (s.tab === 'links') {
      clear(body, h('p', { class: 'muted pad' }, 'Loading…'));
      const found = await getJson(`/api/v1/message/${id}/extract`);
      clear(
        body,
        h('h3', null, 'Links'),
        found.Links.length
          ? h(
              'ul',
              { class: 'links' },
              found.Links.map((l) => {
                const href = safeHref(l.URL);
                return h(
                  'li',
                  null,
                  href
                    ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, l.URL)
                    : h('code', null, l.URL),
                  l.Text ? h('span', { class: 'muted' }, ` — ${l.Text}`) : null,
                  ' ',
                  copyButton(l.URL),
                );
              }),
            )
          : h('p', { class: 'muted' }, 'No links.'),
        h('h3', null, 'Codes'),
        found.Codes.length
          ? h(
              'ul',
              { class: 'codes' },
              found.Codes.map((c) =>
                h(
                  'li',
                  null,
                  h('code', { class: 'code' }, c.Code),
                  ' ',
                  copyButton(c.Code),
                  h('span', { class: 'muted' }, ` ${c.Context}`),
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'No one-time codes.'),
      );
      return;
    }
    if (s.tab === 'session') {
      const ss = m.Session ?? {};
      clear(
        body,
        keyValueTable([
          ['MAIL FROM', ss.mailFrom || '<>'],
          ['RCPT TO', (ss.rcptTo ?? []).join(', ')],
          ['Listener', ss.listener === 'implicit-tls' ? 'SMTPS (implicit TLS)' : 'SMTP submission'],
          [
            'TLS',
            ss.tls
              ? `${ss.tls.protocol} · ${ss.tls.cipher}${ss.tls.upgraded ? ' (STARTTLS)' : ''}`
              : 'none (plaintext)',
          ],
          ['AUTH', ss.auth ? `${ss.auth.user} (${ss.auth.mechanism})` : 'none'],
          ['Client', `${ss.clientAddress ?? ''}:${ss.clientPort ?? ''}`],
          ['EHLO', ss.ehlo],
          ['Scopes', (m.Scopes ?? []).join(', ')],
          ['Message-ID', m.MessageID],
        ]),
        ss.replies?.length
          ? h(
              'table',
              { class: 'grid small' },
              h(
                'thead',
                null,
                h('tr', null, h('th', null, 'Command'), h('th', null, 'Reply'), h('th', null, 'Argument')),
              ),
              h(
                'tbody',
                null,
                ss.replies.map((r) =>
                  h(
                    'tr',
                    null,
                    h('td', null, r.command),
                    h('td', null, String(r.code)),
                    h('td', null, r.argument ?? ''),
                  ),
                ),
              ),
            )
          : null,
      );
    }
  }

  return {
    mount(root, route) {
      const search = h('input', {
        type: 'search',
        class: 'search',
        placeholder: 'Search: subject:인증 to:user@… has:attachment is:unread',
        'aria-label': 'Search mail',
        value: route.query.get('q') ?? '',
        oninput: () => {
          s.query = search.value;
          scheduleReload();
        },
      });
      s.query = search.value;
      s.scopeSelect = h(
        'select',
        {
          'aria-label': 'Scope',
          onchange: () => {
            s.scope = s.scopeSelect.value;
            loadList();
          },
        },
        h('option', { value: '' }, 'All scopes'),
      );
      s.countEl = h('span', { class: 'muted count' });
      s.listEl = h('div', { class: 'mail-list', role: 'list' });
      s.listVerdicts = watchListVerdicts(s.listEl, s.verdicts);
      s.viewEl = h(
        'section',
        { class: 'mail-view' },
        emptyState('Select a message', 'Newest mail is at the top.'),
      );
      const deleteAll = h(
        'button',
        {
          type: 'button',
          class: 'danger subtle',
          onclick: async () => {
            const what = s.scope ? `every message in scope ${s.scope}` : 'every message';
            if (!confirm(`Delete ${what}?`)) return;
            const q = s.scope ? `?scope=${encodeURIComponent(s.scope)}` : '';
            await send('DELETE', `/api/v1/messages${q}`);
            toast('Mailbox emptied');
            navigate('#/mail');
            loadList();
          },
        },
        'Delete all',
      );
      clear(
        root,
        h(
          'div',
          { class: 'split mail' },
          h(
            'aside',
            { class: 'mail-pane' },
            h('div', { class: 'toolbar' }, search),
            h('div', { class: 'toolbar' }, s.scopeSelect, s.countEl, deleteAll),
            s.listEl,
          ),
          s.viewEl,
        ),
      );
      on('mail-new', (e) => {
        const m = e.detail;
        for (const sc of m.Scopes ?? []) s.scopes.add(sc);
        renderScopes();
        if (s.query.trim()) {
          scheduleReload();
          return;
        }
        if (s.scope && !(m.Scopes ?? []).includes(s.scope)) return;
        if (s.messages.some((x) => x.ID === m.ID)) return;
        s.messages.unshift(m);
        s.total++;
        renderList();
        s.listEl.querySelector(`[data-id="${CSS.escape(m.ID)}"]`)?.classList.add('fresh');
      });
      on('mail-ready', scheduleReload);
      on('mail-deleted', (e) => {
        const gone = new Set(e.detail.IDs);
        s.verdicts.forget(gone);
        const before = s.messages.length;
        s.messages = s.messages.filter((m) => !gone.has(m.ID));
        s.total -= before - s.messages.length;
        renderList();
        if (s.selected && gone.has(s.selected)) {
          s.selected = null;
          clear(s.viewEl, emptyState('Message deleted'));
        }
      });
      loadList().then(() => this.update(route));
    },
    update(route) {
      const id = route.parts[0];
      if (id && id !== s.selected) openMessage(id);
      if (!id && s.selected) {
        s.selected = null;
        for (const el of s.listEl.querySelectorAll('.selected')) el.classList.remove('selected');
        clear(s.viewEl, emptyState('Select a message', 'Newest mail is at the top.'));
      }
    },
    unmount() {
      clearTimeout(s.refreshTimer);
      s.listVerdicts?.disconnect();
      for (const [type, fn] of listeners) bus.removeEventListener(type, fn);
    },
  };
}
