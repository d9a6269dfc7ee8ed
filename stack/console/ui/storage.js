// Storage: buckets, objects by prefix like folders, object detail (metadata, tags, checksums,
// public readability and the statement behind it), previews, download, upload and delete as root,
// the bucket's policy, CORS rules, Block Public Access flags, versioning and lifecycle rules, and
// on a versioned bucket each object's versions and the deleted keys (see versions.js).
import { getJson, getText, send } from './api.js';
import {
  clear,
  copyButton,
  emptyState,
  formatBytes,
  formatTime,
  gridTable,
  h,
  keyValueTable,
  tabStrip,
  toast,
} from './dom.js';
import { deletedKeys, versioningCards, versionsSection } from './versions.js';

const enc = encodeURIComponent;

function typeOf(name) {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toUpperCase() : '—';
}

function publicBadge(isPublic, by) {
  return isPublic
    ? h(
        'span',
        { class: 'pill warn', title: by ? `Granted by statement ${by}` : '' },
        by ? `public · ${by}` : 'public',
      )
    : h('span', { class: 'pill' }, 'private');
}

export function storagePage({ bus, navigate }) {
  const s = {
    buckets: [],
    bucket: '',
    prefix: '',
    key: '',
    view: 'objects',
    /** Also list keys whose latest version is a delete marker. */
    showDeleted: false,
    listing: null,
    detailSeq: 0,
    reloadTimer: null,
  };
  const listeners = [];
  let root;
  let bucketsEl;
  let mainEl;
  let detailEl;

  const hashFor = (bucket, prefix = '', key = '') => {
    const q = new URLSearchParams();
    if (prefix) q.set('prefix', prefix);
    if (key) q.set('key', key);
    if (s.showDeleted) q.set('deleted', '1');
    const qs = q.toString();
    return `#/storage/${enc(bucket)}${qs ? `?${qs}` : ''}`;
  };

  async function loadBuckets() {
    try {
      s.buckets = (await getJson('/api/stack/buckets')).buckets;
    } catch (err) {
      clear(bucketsEl, h('p', { class: 'error pad' }, err.message));
      return;
    }
    clear(
      bucketsEl,
      h('div', { class: 'pane-title' }, 'Buckets'),
      s.buckets.length
        ? s.buckets.map((b) =>
            h(
              'a',
              {
                class: `bucket${b.name === s.bucket ? ' selected' : ''}`,
                href: hashFor(b.name),
                dataset: { bucket: b.name },
              },
              h('span', { class: 'icon bucket-icon', 'aria-hidden': 'true' }),
              b.name,
            ),
          )
        : h('p', { class: 'muted pad' }, 'No buckets.'),
    );
  }

  function breadcrumb() {
    const parts = s.prefix.split('/').filter(Boolean);
    const crumbs = [h('a', { href: hashFor(s.bucket) }, s.bucket)];
    let acc = '';
    for (const p of parts) {
      acc += `${p}/`;
      crumbs.push(h('span', { class: 'sep' }, '/'), h('a', { href: hashFor(s.bucket, acc) }, p));
    }
    return h('nav', { class: 'breadcrumb', 'aria-label': 'Prefix' }, crumbs);
  }

  async function loadObjects() {
    if (!s.bucket) {
      clear(mainEl, emptyState('Choose a bucket', 'Objects appear here by prefix, like folders.'));
      return;
    }
    const upload = h('input', {
      type: 'file',
      multiple: true,
      id: 'upload-input',
      class: 'offscreen',
      onchange: async () => {
        for (const file of upload.files) {
          const key = `${s.prefix}${file.name}`;
          try {
            await send('PUT', `/api/stack/buckets/${enc(s.bucket)}/object?key=${enc(key)}`, file, {
              'content-type': file.type || 'application/octet-stream',
            });
            toast(`Uploaded ${key}`);
          } catch (err) {
            toast(`Upload failed: ${err.message}`, 'error');
          }
        }
        upload.value = '';
        loadObjects();
      },
    });
    const toolbar = h(
      'div',
      { class: 'toolbar' },
      breadcrumb(),
      h('span', { class: 'spacer' }),
      tabStrip(
        [
          ['objects', 'Objects'],
          ['settings', 'Permissions & versioning'],
        ],
        s.view,
        (name) => {
          s.view = name;
          loadObjects();
        },
      ),
      h(
        'label',
        {
          class: 'check',
          title: 'Keys whose latest version is a delete marker, restorable from their versions',
        },
        h('input', {
          type: 'checkbox',
          id: 'show-deleted',
          checked: s.showDeleted,
          onchange: (e) => {
            s.showDeleted = e.currentTarget.checked;
            navigate(hashFor(s.bucket, s.prefix, s.key), true);
            loadObjects();
          },
        }),
        ' Show deleted',
      ),
      h('label', { class: 'button', for: 'upload-input' }, `Upload to ${s.prefix || '/'}`),
      upload,
    );
    if (s.view === 'settings') {
      clear(mainEl, toolbar, h('p', { class: 'muted pad' }, 'Loading…'));
      try {
        clear(mainEl, toolbar, settingsView(await getJson(`/api/stack/buckets/${enc(s.bucket)}/settings`)));
      } catch (err) {
        clear(mainEl, toolbar, h('p', { class: 'error pad' }, err.message));
      }
      return;
    }
    let listing;
    let deleted;
    try {
      [listing, deleted] = await Promise.all([
        getJson(`/api/stack/buckets/${enc(s.bucket)}/objects?prefix=${enc(s.prefix)}`),
        s.showDeleted ? deletedKeys(s.bucket, s.prefix) : null,
      ]);
    } catch (err) {
      clear(mainEl, toolbar, h('p', { class: 'error pad' }, err.message));
      return;
    }
    s.listing = listing;
    const rows = [
      ...listing.folders.map((f) =>
        h(
          'tr',
          { class: 'folder', onclick: () => navigate(hashFor(s.bucket, f)) },
          h(
            'td',
            null,
            h(
              'a',
              { href: hashFor(s.bucket, f) },
              h('span', { class: 'icon folder-icon', 'aria-hidden': 'true' }),
              f.slice(s.prefix.length),
            ),
          ),
          h('td', null, ''),
          h('td', null, 'Folder'),
          h('td', null, ''),
          h('td', null, ''),
        ),
      ),
      ...listing.objects.map((o) =>
        h(
          'tr',
          {
            class: `object${o.key === s.key ? ' selected' : ''}`,
            dataset: { key: o.key },
            onclick: () => navigate(hashFor(s.bucket, s.prefix, o.key)),
          },
          h('td', null, h('a', { href: hashFor(s.bucket, s.prefix, o.key) }, o.name)),
          h('td', { class: 'num' }, formatBytes(o.size)),
          h('td', null, typeOf(o.name)),
          h('td', null, formatTime(o.lastModified)),
          h('td', null, publicBadge(o.public, o.publicBy)),
        ),
      ),
      ...(deleted?.objects ?? []).map((o) =>
        h(
          'tr',
          {
            class: `object deleted${o.key === s.key ? ' selected' : ''}`,
            dataset: { key: o.key },
            title: 'Deleted: the latest version is a delete marker',
            onclick: () => navigate(hashFor(s.bucket, s.prefix, o.key)),
          },
          h('td', null, h('a', { href: hashFor(s.bucket, s.prefix, o.key) }, o.name)),
          h('td', { class: 'num' }, '—'),
          h('td', null, typeOf(o.name)),
          h('td', null, formatTime(o.deletedAt)),
          h('td', null, h('span', { class: 'pill warn' }, 'deleted')),
        ),
      ),
    ];
    clear(
      mainEl,
      toolbar,
      rows.length
        ? h(
            'table',
            { class: 'grid objects' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', null, 'Name'),
                h('th', { class: 'num' }, 'Size'),
                h('th', null, 'Type'),
                h('th', null, 'Last modified'),
                h('th', null, 'Access'),
              ),
            ),
            h('tbody', null, rows),
          )
        : emptyState(
            'Nothing here yet',
            `No objects under ${s.prefix || 'the bucket root'}. Upload one, or let the app store some.`,
          ),
      listing.truncated ? h('p', { class: 'muted pad' }, 'Showing the first 1000 keys at this level.') : null,
      deleted?.truncated
        ? h(
            'p',
            { class: 'muted pad' },
            'Showing the deleted keys among the first 10,000 versions at this level.',
          )
        : null,
    );
  }

  function settingsView(st) {
    const flags = st.publicAccessBlock;
    return h(
      'div',
      { class: 'settings' },
      h(
        'section',
        { class: 'card' },
        h('h3', null, 'Block Public Access'),
        flags
          ? h(
              'ul',
              { class: 'flags' },
              Object.entries(flags).map(([k, v]) =>
                h('li', null, h('span', { class: `pill ${v ? 'ok' : 'warn'}` }, v ? 'On' : 'Off'), ' ', k),
              ),
            )
          : h('p', { class: 'muted' }, 'No configuration: nothing is blocked.'),
      ),
      h(
        'section',
        { class: 'card' },
        h('h3', null, 'Bucket policy ', st.policy ? publicBadge(st.policy.public) : null),
        st.policy
          ? [
              st.policy.error ? h('p', { class: 'error' }, st.policy.error) : null,
              h('div', { class: 'right' }, copyButton(st.policy.json, 'Copy policy')),
              h('pre', { class: 'code-block' }, st.policy.json),
            ]
          : h(
              'p',
              { class: 'muted' },
              'No bucket policy: only identities with an identity policy can read or write.',
            ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h3', null, 'CORS'),
        st.cors?.rules.length
          ? gridTable(
              ['ID', 'Origins', 'Methods', 'Headers', 'Expose', 'Max age'],
              st.cors.rules.map((r) =>
                h(
                  'tr',
                  null,
                  h('td', null, r.ID ?? ''),
                  h('td', null, (r.AllowedOrigins ?? []).join(', ')),
                  h('td', null, (r.AllowedMethods ?? []).join(', ')),
                  h('td', null, (r.AllowedHeaders ?? []).join(', ')),
                  h('td', null, (r.ExposeHeaders ?? []).join(', ')),
                  h('td', null, r.MaxAgeSeconds !== undefined ? `${r.MaxAgeSeconds}s` : ''),
                ),
              ),
            )
          : h(
              'p',
              { class: 'muted' },
              'No CORS rules: browsers cannot call this bucket from another origin.',
            ),
      ),
      versioningCards(st),
      st.region ? h('p', { class: 'muted pad' }, `Region: ${st.region}`) : null,
      st.notes.length
        ? h(
            'ul',
            { class: 'muted' },
            st.notes.map((n) => h('li', null, n)),
          )
        : null,
    );
  }

  async function loadDetail() {
    if (!s.key) {
      detailEl.hidden = true;
      return;
    }
    detailEl.hidden = false;
    const seq = ++s.detailSeq;
    clear(detailEl, h('p', { class: 'muted pad' }, 'Loading…'));
    const base = `/api/stack/buckets/${enc(s.bucket)}`;
    const versions = () =>
      versionsSection({
        bucket: s.bucket,
        key: s.key,
        onRestored: () => {
          loadObjects();
          loadDetail();
        },
      });
    let d;
    try {
      d = await getJson(`${base}/object?key=${enc(s.key)}`);
    } catch (err) {
      if (seq !== s.detailSeq) return;
      // No current version: on a versioned bucket the key may be deleted, its versions kept.
      if (err.status === 404) deletedDetail(versions());
      else clear(detailEl, h('p', { class: 'error pad' }, err.message));
      return;
    }
    if (seq !== s.detailSeq) return;
    const pub = d.publicRead;
    const preview = h('div', { class: 'preview' });
    clear(
      detailEl,
      detailHead(d.key),
      h(
        'div',
        { class: `access ${pub.public ? 'public' : 'private'}` },
        h(
          'strong',
          null,
          pub.public ? `Public: yes${pub.statement ? `, by statement ${pub.statement}` : ''}` : 'Private',
        ),
        h('div', { class: 'reason' }, pub.reason),
      ),
      h(
        'div',
        { class: 'actions' },
        h('a', { class: 'button', href: `${base}/download?key=${enc(d.key)}`, download: '' }, 'Download'),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async () => {
              if (!confirm(`Delete s3://${d.bucket}/${d.key}?`)) return;
              try {
                await send('DELETE', `${base}/object?key=${enc(d.key)}`);
                toast(`Deleted ${d.key}`);
                navigate(hashFor(s.bucket, s.prefix));
                loadObjects();
              } catch (err) {
                toast(err.message, 'error');
              }
            },
          },
          'Delete',
        ),
      ),
      preview,
      h('h3', null, 'Properties'),
      keyValueTable([
        ['Size', `${formatBytes(d.size)} (${d.size.toLocaleString()} bytes)`],
        ['Content-Type', d.contentType],
        ['Content-Encoding', d.contentEncoding],
        ['Content-Disposition', d.contentDisposition],
        ['Cache-Control', d.cacheControl],
        ['Last modified', d.lastModified ? new Date(d.lastModified).toLocaleString() : ''],
        ['ETag', d.etag],
        ['Storage class', d.storageClass],
        ['Encryption', d.serverSideEncryption],
      ]),
      h('h3', null, 'Metadata'),
      Object.keys(d.metadata).length
        ? keyValueTable(Object.entries(d.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v]))
        : h('p', { class: 'muted' }, 'None.'),
      h('h3', null, 'Tags'),
      Object.keys(d.tags).length
        ? keyValueTable(Object.entries(d.tags))
        : h('p', { class: 'muted' }, 'None.'),
      h('h3', null, 'Checksums'),
      Object.keys(d.checksums).length
        ? keyValueTable([...Object.entries(d.checksums), ['Type', d.checksumType]])
        : h(
            'p',
            { class: 'muted' },
            'No additional checksum stored (the ETag is the MD5 for single-part uploads).',
          ),
      versions(),
    );
    if (d.preview === 'image') {
      preview.appendChild(h('img', { src: `${base}/preview?key=${enc(d.key)}`, alt: `Preview of ${d.key}` }));
    } else if (d.preview === 'text') {
      try {
        const text = await getText(`${base}/preview?key=${enc(d.key)}`);
        preview.appendChild(
          h(
            'pre',
            { class: 'text-preview' },
            text,
            d.size > new TextEncoder().encode(text).length + 4
              ? '\n… (preview cut: download for the rest)'
              : '',
          ),
        );
      } catch (err) {
        preview.appendChild(h('p', { class: 'muted' }, err.message));
      }
    } else {
      preview.appendChild(h('p', { class: 'muted' }, `No preview for ${d.contentType || 'this type'}.`));
    }
  }

  function detailHead(key) {
    return [
      h(
        'div',
        { class: 'detail-head' },
        h('h2', { class: 'object-key' }, key.slice(key.lastIndexOf('/') + 1)),
        h(
          'button',
          {
            type: 'button',
            class: 'close',
            title: 'Close',
            onclick: () => navigate(hashFor(s.bucket, s.prefix)),
          },
          '×',
        ),
      ),
      h(
        'div',
        { class: 'muted key-path' },
        `s3://${s.bucket}/${key} `,
        copyButton(`s3://${s.bucket}/${key}`),
      ),
    ];
  }

  function deletedDetail(versions) {
    clear(
      detailEl,
      detailHead(s.key),
      h(
        'div',
        { class: 'access deleted' },
        h('strong', null, 'No current version'),
        h(
          'div',
          { class: 'reason' },
          'Deleted (the latest version is a delete marker) or never stored. Restore a version below to bring it back.',
        ),
      ),
      versions,
    );
  }

  function scheduleReload() {
    clearTimeout(s.reloadTimer);
    s.reloadTimer = setTimeout(() => {
      if (s.view === 'objects') loadObjects();
    }, 150);
  }

  return {
    mount(el, route) {
      root = el;
      bucketsEl = h('aside', { class: 'buckets' });
      mainEl = h('section', { class: 'objects-pane' });
      detailEl = h('aside', { class: 'object-detail', hidden: true });
      clear(root, h('div', { class: 'split storage' }, bucketsEl, mainEl, detailEl));
      const onObject = (e) => {
        const o = e.detail;
        if (!o || (o.bucket === s.bucket && o.key.startsWith(s.prefix))) scheduleReload();
      };
      for (const type of ['object-created', 'object-removed', 's3-ready']) {
        bus.addEventListener(type, onObject);
        listeners.push([type, onObject]);
      }
      this.update(route, true);
    },
    async update(route, first = false) {
      const bucket = route.parts[0] ?? '';
      const prefix = route.query.get('prefix') ?? '';
      const key = route.query.get('key') ?? '';
      const view = route.query.get('view');
      const showDeleted = route.query.get('deleted') === '1';
      const deletedChanged = showDeleted !== s.showDeleted;
      s.showDeleted = showDeleted;
      const viewChanged = (view === 'settings' || view === 'objects') && view !== s.view;
      if (viewChanged) s.view = view;
      const listChanged =
        first || viewChanged || deletedChanged || bucket !== s.bucket || prefix !== s.prefix;
      s.bucket = bucket;
      s.prefix = prefix;
      s.key = key;
      if (first) await loadBuckets();
      if (!s.bucket && s.buckets.length) {
        navigate(hashFor(s.buckets[0].name), true);
        return;
      }
      for (const b of bucketsEl.querySelectorAll('.bucket'))
        b.classList.toggle('selected', b.dataset.bucket === s.bucket);
      if (listChanged) await loadObjects();
      else
        for (const r of mainEl.querySelectorAll('tr.object'))
          r.classList.toggle('selected', r.dataset.key === s.key);
      loadDetail();
    },
    unmount() {
      clearTimeout(s.reloadTimer);
      for (const [type, fn] of listeners) bus.removeEventListener(type, fn);
    },
  };
}
