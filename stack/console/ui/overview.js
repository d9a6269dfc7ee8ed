// Overview: what the running stack serves and how to point an app at it, every value copyable.
import { getJson } from './api.js';
import { clear, copyButton, emptyState, h } from './dom.js';

function copyRow(label, value, secret = false) {
  return h(
    'tr',
    null,
    h('th', null, label),
    h('td', null, h('code', { class: secret ? 'secret' : '' }, value)),
    h('td', { class: 'copy-cell' }, copyButton(value)),
  );
}

export function overviewPage() {
  return {
    async mount(root) {
      let o;
      let info;
      try {
        o = await getJson('/api/stack/overview');
      } catch (err) {
        clear(root, emptyState('Overview unavailable', err.message));
        return;
      }
      if (o.features?.mail) info = await getJson('/api/v1/info').catch(() => undefined);
      const envText = Object.entries(o.env ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join('\n');
      const creds = o.credentials ?? {};
      const credRows = [];
      for (const [label, c] of [
        ['Root', creds.root],
        ['App user', creds.appUser],
      ]) {
        if (!c?.accessKeyId) continue;
        credRows.push(
          h(
            'tr',
            { class: 'group' },
            h(
              'th',
              { colspan: '3' },
              `${label}${c.name && c.name.toLowerCase() !== label.toLowerCase() ? ` — ${c.name}` : ''}`,
            ),
          ),
          copyRow('Access key id', c.accessKeyId),
          copyRow('Secret access key', c.secretAccessKey, true),
        );
      }
      if (creds.smtp) {
        credRows.push(
          h('tr', { class: 'group' }, h('th', { colspan: '3' }, 'SMTP AUTH')),
          copyRow('User', creds.smtp.user),
          copyRow('Password', creds.smtp.password, true),
        );
      }
      clear(
        root,
        h(
          'div',
          { class: 'overview' },
          h(
            'section',
            { class: 'card' },
            h('h3', null, 'Engine'),
            h('p', { class: 'engine' }, h('span', { class: 'pill ok' }, o.engine)),
            o.dataDir
              ? h('p', null, 'Data: ', h('code', null, o.dataDir), ' ', copyButton(o.dataDir))
              : h('p', { class: 'muted' }, 'Data kept in memory only.'),
            o.envFile
              ? h('p', null, 'Env file: ', h('code', null, o.envFile), ' ', copyButton(o.envFile))
              : null,
            info
              ? h('p', { class: 'muted' }, `${info.Messages} message(s) captured · ${info.Version}`)
              : null,
          ),
          h(
            'section',
            { class: 'card' },
            h('h3', null, 'Endpoints'),
            h(
              'table',
              { class: 'kv copyable' },
              h(
                'tbody',
                null,
                Object.entries(o.endpoints ?? {}).map(([k, v]) => copyRow(k, v)),
              ),
            ),
          ),
          h(
            'section',
            { class: 'card' },
            h('h3', null, 'Credentials'),
            credRows.length
              ? h('table', { class: 'kv copyable' }, h('tbody', null, credRows))
              : h('p', { class: 'muted' }, 'None given.'),
          ),
          h(
            'section',
            { class: 'card wide' },
            h('h3', null, 'App env ', envText ? copyButton(envText, 'Copy all') : null),
            envText
              ? [
                  h(
                    'p',
                    { class: 'muted' },
                    o.envFile
                      ? `Run the app with: node --env-file=${o.envFile} …`
                      : 'The variables the app reads.',
                  ),
                  h(
                    'table',
                    { class: 'kv copyable env' },
                    h(
                      'tbody',
                      null,
                      Object.entries(o.env).map(([k, v]) => copyRow(k, v, /SECRET|PASSWORD/i.test(k))),
                    ),
                  ),
                ]
              : h('p', { class: 'muted' }, 'No env given.'),
          ),
        ),
      );
    },
  };
}
