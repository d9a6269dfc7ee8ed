// Versions in the storage browser: a bucket's versioning status and lifecycle rules, every version
// and delete marker of one object (each downloadable, an old one restorable as the current), and
// the deleted keys of a prefix. Keys and version ids are server strings: text nodes only.
import { getJson, send } from './api.js';
import { clear, copyButton, formatBytes, formatTime, gridTable, h, toast } from './dom.js';

const enc = encodeURIComponent;

/** The Versioning and Lifecycle cards of the bucket settings view. */
export function versioningCards(st) {
  const status = st.versioning?.status;
  const versioning = h(
    'section',
    { class: 'card versioning' },
    h(
      'h3',
      null,
      'Versioning ',
      h(
        'span',
        { class: `pill ${status === 'Enabled' ? 'ok' : status === 'Suspended' ? 'warn' : ''}` },
        status ?? 'none',
      ),
    ),
    h(
      'p',
      { class: 'muted' },
      status === 'Enabled'
        ? 'Every overwrite keeps the previous version and a delete leaves a delete marker: open an object to see its versions and restore one.'
        : status === 'Suspended'
          ? 'Versions written while versioning was on are kept; new writes replace the null version.'
          : 'Never enabled: an overwrite or a delete loses the old bytes.',
    ),
  );
  const rules = st.lifecycle?.rules ?? [];
  const lifecycle = h(
    'section',
    { class: 'card lifecycle' },
    h('h3', null, 'Lifecycle rules'),
    st.lifecycle
      ? [
          h('div', { class: 'right' }, copyButton(st.lifecycle.json, 'Copy rules')),
          gridTable(
            ['ID', 'Status', 'Applies to', 'Actions'],
            rules.map((r) =>
              h(
                'tr',
                { class: 'rule' },
                h('td', null, r.id),
                h('td', null, h('span', { class: `pill ${r.status === 'Enabled' ? 'ok' : ''}` }, r.status)),
                h('td', null, r.filter),
                h(
                  'td',
                  null,
                  r.actions.length
                    ? h(
                        'ul',
                        { class: 'plain' },
                        r.actions.map((a) => h('li', null, a)),
                      )
                    : 'none',
                ),
              ),
            ),
          ),
        ]
      : h('p', { class: 'muted' }, 'none: no lifecycle configuration, nothing expires on its own.'),
  );
  return [versioning, lifecycle];
}

/** The keys of `prefix` (this level only) whose latest version is a delete marker. */
export async function deletedKeys(bucket, prefix) {
  return getJson(`/api/stack/buckets/${enc(bucket)}/deleted?prefix=${enc(prefix)}`);
}

function versionItem(v, base, key, onRestore) {
  const meta = [
    formatTime(v.lastModified, true),
    v.deleteMarker ? null : formatBytes(v.size),
    v.etag ? `ETag ${v.etag}` : null,
  ].filter(Boolean);
  const restorable = !v.deleteMarker && !v.isLatest;
  return h(
    'li',
    {
      class: `version${v.isLatest ? ' latest' : ''}${v.deleteMarker ? ' marker' : ''}`,
      dataset: { versionId: v.versionId },
    },
    h(
      'div',
      { class: 'version-line' },
      h('code', { class: 'version-id', title: v.versionId }, v.versionId),
      v.isLatest ? h('span', { class: 'pill ok' }, 'latest') : null,
      v.deleteMarker ? h('span', { class: 'pill warn' }, 'delete marker') : null,
    ),
    h('div', { class: 'muted version-meta' }, meta.join(' · ')),
    v.deleteMarker
      ? null
      : h(
          'div',
          { class: 'version-actions' },
          h(
            'a',
            {
              class: 'button small',
              href: `${base}/download?key=${enc(key)}&versionId=${enc(v.versionId)}`,
              download: '',
            },
            'Download',
          ),
          restorable
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'small restore',
                  title: 'Copy this version over the key: it becomes the current version',
                  onclick: (e) => onRestore(v, e.currentTarget),
                },
                'Restore',
              )
            : null,
        ),
  );
}

/**
 * The "Versions" section of an object's detail; loads itself. `onRestored(result)` runs after a
 * version was made current again.
 */
export function versionsSection({ bucket, key, onRestored }) {
  const base = `/api/stack/buckets/${enc(bucket)}`;
  const body = h('div', { class: 'versions-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const restore = async (v, button) => {
    button.disabled = true;
    try {
      const out = await send('POST', `${base}/restore?key=${enc(key)}&versionId=${enc(v.versionId)}`);
      toast(`Restored ${key} from version ${v.versionId}`);
      onRestored?.(out);
    } catch (err) {
      button.disabled = false;
      toast(`Restore failed: ${err.message}`, 'error');
    }
  };
  (async () => {
    let got;
    try {
      got = await getJson(`${base}/versions?key=${enc(key)}`);
    } catch (err) {
      clear(body, h('p', { class: 'error' }, err.message));
      return;
    }
    clear(
      body,
      got.versions.length
        ? h(
            'ul',
            { class: 'versions-list' },
            got.versions.map((v) => versionItem(v, base, key, restore)),
          )
        : h('p', { class: 'muted' }, 'No versions.'),
      got.truncated
        ? h('p', { class: 'muted' }, `Showing the newest ${got.versions.length} versions.`)
        : null,
    );
  })();
  return h('section', { class: 'versions' }, h('h3', null, 'Versions'), body);
}
