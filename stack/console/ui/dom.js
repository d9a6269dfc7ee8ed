// DOM building without innerHTML: every string from the server (mail subjects, addresses, file
// names, object keys, policy text) becomes a text node, so hostile content stays text.

/**
 * h('div', { class: 'x', onclick: fn, title: 't' }, 'text', child)
 * Attributes are set with setAttribute; `href`/`src` must come from safeHref/safe URLs.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
      else if (name === 'class') el.className = value;
      else if (name === 'dataset') Object.assign(el.dataset, value);
      else if (name === 'text') el.textContent = String(value);
      else if (name === 'value') el.value = value;
      else if (name === 'checked') el.checked = Boolean(value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Only http(s) links leave the console; anything else (javascript:, data:) is not a link. */
export function safeHref(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function formatBytes(n) {
  if (n === undefined || n === null) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatTime(iso, withSeconds = false) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const today = new Date();
  const time = d.toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
  });
  return d.toDateString() === today.toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}

export function address(a) {
  if (!a) return '';
  return a.Name ? `${a.Name} <${a.Address}>` : a.Address;
}

let toastTimer;
export function toast(message, kind = 'info') {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = `toast ${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 3500);
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = h('textarea', { class: 'offscreen' }, text);
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
}

/** A button that copies `text` (a string or a function returning one). */
export function copyButton(text, label = 'Copy') {
  const button = h('button', {
    class: 'copy',
    type: 'button',
    title: 'Copy to clipboard',
    onclick: async () => {
      await copyText(typeof text === 'function' ? text() : text);
      button.textContent = 'Copied';
      button.classList.add('done');
      setTimeout(() => {
        button.textContent = label;
        button.classList.remove('done');
      }, 1200);
    },
  });
  button.textContent = label;
  return button;
}

/** A row of tabs; `onSelect(name)` renders the body. */
export function tabStrip(names, selected, onSelect) {
  const strip = h('div', { class: 'subtabs', role: 'tablist' });
  for (const [name, label] of names) {
    strip.appendChild(
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          class: name === selected ? 'active' : '',
          'aria-selected': String(name === selected),
          dataset: { tab: name },
          onclick: () => {
            for (const b of strip.children) {
              b.classList.toggle('active', b === strip.querySelector(`[data-tab="${name}"]`));
              b.setAttribute('aria-selected', String(b.dataset.tab === name));
            }
            onSelect(name);
          },
        },
        label,
      ),
    );
  }
  return strip;
}

export function emptyState(title, detail) {
  return h(
    'div',
    { class: 'empty' },
    h('div', { class: 'empty-title' }, title),
    detail ? h('p', null, detail) : null,
  );
}

export function keyValueTable(rows) {
  return h(
    'table',
    { class: 'kv' },
    h(
      'tbody',
      null,
      rows
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v))),
    ),
  );
}

/** A small data table: a header row of `headers`, then `rows` (tr elements). */
export function gridTable(headers, rows) {
  return h(
    'table',
    { class: 'grid small' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        headers.map((t) => h('th', null, t)),
      ),
    ),
    h('tbody', null, rows),
  );
}
