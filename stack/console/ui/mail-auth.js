// A message's email-authentication verdicts (DKIM, SPF, DMARC) as the captured-mail server judged
// them against the stack's own DNS zone (GET /api/v1/message/{ID}/auth). Selectors, domains and
// mailauth's comments come from the message, so they are hostile input: text nodes only.
import { ApiError, getJson } from './api.js';
import { copyButton, emptyState, gridTable, h, keyValueTable } from './dom.js';

/** How a result word is coloured: only 'pass' is good, and mailauth's 'neutral' is a broken signature. */
export function tone(result) {
  if (result === 'pass') return 'pass';
  if (result === 'none' || !result) return 'none';
  if (result === 'temperror') return 'warn';
  return 'fail';
}

/** One word for all signatures, as a receiver reads them: any passing signature is a pass. */
function dkimResult(dkim) {
  if (dkim.length === 0) return 'none';
  return dkim.find((d) => d.result === 'pass')?.result ?? dkim[0].result;
}

const POLICY_ACTION = {
  reject: 'reject',
  quarantine: 'quarantine',
  none: 'do nothing with',
};

function dmarcReason(dmarc) {
  const { aligned, domain, policy } = dmarc;
  const via = [aligned.dkim ? 'DKIM' : null, aligned.spf ? 'SPF' : null].filter(Boolean);
  if (dmarc.result === 'pass')
    return `${via.join(' and ') || 'A mechanism'} passed in alignment with ${domain}.`;
  if (dmarc.result === 'none') return `${domain || 'The From domain'} publishes no DMARC record.`;
  if (dmarc.result === 'fail') {
    return `Neither DKIM nor SPF passed in alignment with ${domain}; it asks receivers to ${POLICY_ACTION[policy] ?? policy} such mail.`;
  }
  return '';
}

function why(mechanism, v) {
  if (mechanism === 'dkim') {
    if (v.dkim.length === 0) return 'No DKIM-Signature: the message is unsigned.';
    const bad = v.dkim.find((d) => d.result !== 'pass');
    return dkimResult(v.dkim) === 'pass' ? '' : (bad?.comment ?? '');
  }
  if (mechanism === 'spf') return v.spf.result === 'pass' ? '' : v.spf.comment;
  return dmarcReason(v.dmarc);
}

function resultOf(mechanism, v) {
  if (mechanism === 'dkim') return dkimResult(v.dkim);
  return v[mechanism].result;
}

/** A coloured result word, named by its mechanism unless `bare` (where a heading already names it). */
export function badge(mechanism, result, title, bare = false) {
  return h(
    'span',
    {
      class: `auth-badge tone-${tone(result)}`,
      dataset: { mechanism, result },
      title,
    },
    bare ? null : [h('span', { class: 'mech' }, mechanism.toUpperCase()), ' '],
    h('span', { class: 'word' }, result),
  );
}

const MECHANISMS = ['dkim', 'spf', 'dmarc'];

/** The three badges of the message header; clicking them opens the details. */
export function verdictStrip(v, onOpen) {
  return h(
    'button',
    { type: 'button', class: 'auth-strip', title: 'Show authentication details', onclick: onOpen },
    MECHANISMS.map((m) => badge(m, resultOf(m, v), why(m, v) || undefined)),
  );
}

/** The DMARC verdict alone, for a line of the inbox list. */
export function listVerdict(v) {
  const el = badge(
    'dmarc',
    v.dmarc.result,
    MECHANISMS.map((m) => `${m.toUpperCase()} ${resultOf(m, v)}`).join(' · '),
  );
  el.classList.add('tiny');
  return el;
}

function yesNo(value) {
  return value ? 'yes' : 'no';
}

function section(mechanism, title, v, ...body) {
  return h(
    'section',
    { class: 'auth-section', dataset: { mechanism } },
    h('h3', null, title, ' ', badge(mechanism, resultOf(mechanism, v), undefined, true)),
    ...body,
  );
}

/** The Authentication tab: every signature, the SPF check, the DMARC decision and the header. */
export function verdictDetails(v) {
  const reason = (text) => (text ? h('span', { class: 'auth-reason' }, text) : '');
  return h(
    'div',
    { class: 'auth-details' },
    section(
      'dkim',
      'DKIM',
      v,
      v.dkim.length === 0
        ? h('p', { class: 'muted' }, why('dkim', v))
        : gridTable(
            ['Domain (d=)', 'Selector (s=)', 'Result', 'Aligned with From', 'Reason'],
            v.dkim.map((d) =>
              h(
                'tr',
                { class: 'dkim-signature' },
                h('td', null, d.domain),
                h('td', null, h('code', null, d.selector)),
                h('td', null, badge('dkim', d.result, undefined, true)),
                h('td', null, yesNo(d.aligned)),
                h('td', null, reason(d.comment)),
              ),
            ),
          ),
    ),
    section(
      'spf',
      'SPF',
      v,
      keyValueTable([
        ['Domain checked', v.spf.domain || '(none)'],
        ['Client IP', v.spf.clientIp],
        ['Reason', reason(v.spf.comment)],
      ]),
    ),
    section(
      'dmarc',
      'DMARC',
      v,
      keyValueTable([
        ['From domain', v.dmarc.domain || '(none)'],
        ['Policy (p=)', v.dmarc.policy],
        ['DKIM aligned', yesNo(v.dmarc.aligned.dkim)],
        ['SPF aligned', yesNo(v.dmarc.aligned.spf)],
        ['Reason', reason(dmarcReason(v.dmarc))],
      ]),
    ),
    h(
      'section',
      { class: 'auth-section' },
      h('h3', null, 'Authentication-Results ', copyButton(v.summary)),
      h('pre', { class: 'raw auth-summary' }, v.summary),
    ),
  );
}

export function verdictsUnavailable(err) {
  return emptyState('Authentication verdicts unavailable', err.message);
}

/**
 * Verdicts per message ID, fetched once and shared by the list and the message view. The server
 * checks a message on first request (it costs it a few ms), so nothing is asked for unseen mail.
 */
export function createVerdictCache() {
  /** ID -> { verdicts } or { missing: ApiError } once answered. */
  const answers = new Map();
  const pending = new Map();
  return {
    /** The verdicts if already fetched: an object, null when the API has none, else undefined. */
    peek(id) {
      const a = answers.get(id);
      return a && (a.verdicts ?? null);
    },
    get(id) {
      const a = answers.get(id);
      if (a) return a.verdicts ? Promise.resolve(a.verdicts) : Promise.reject(a.missing);
      let p = pending.get(id);
      if (!p) {
        p = getJson(`/api/v1/message/${encodeURIComponent(id)}/auth`)
          .then(
            (verdicts) => {
              answers.set(id, { verdicts });
              return verdicts;
            },
            (err) => {
              // A 404 (message gone, or a mail API without verdicts) is an answer; anything else may pass.
              if (err instanceof ApiError && err.status === 404) answers.set(id, { missing: err });
              throw err;
            },
          )
          .finally(() => pending.delete(id));
        pending.set(id, p);
      }
      return p;
    },
    forget(ids) {
      for (const id of ids) answers.delete(id);
    },
  };
}

/**
 * Fills `.mail-auth` slots of list items as they scroll into view, a few requests at a time, so
 * a list of 200 messages (or a burst of new mail) asks only for what is on screen.
 */
export function watchListVerdicts(listEl, cache, concurrency = 3) {
  const visible = new Set();
  const queue = [];
  let running = 0;

  const fill = (id, v) => {
    const slot = listEl.querySelector(`.mail-item[data-id="${CSS.escape(id)}"] .mail-auth`);
    if (slot && v) slot.replaceChildren(listVerdict(v));
  };
  const pump = () => {
    while (running < concurrency && queue.length > 0) {
      const id = queue.shift();
      if (!visible.has(id) || cache.peek(id) !== undefined) continue;
      running++;
      cache
        .get(id)
        .then(
          (v) => fill(id, v),
          () => {},
        )
        .finally(() => {
          running--;
          pump();
        });
    }
  };
  const observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const id = e.target.dataset.id;
        if (!e.isIntersecting) {
          visible.delete(id);
          continue;
        }
        visible.add(id);
        const v = cache.peek(id);
        if (v !== undefined) fill(id, v);
        else if (!queue.includes(id)) queue.push(id);
      }
      pump();
    },
    { root: listEl },
  );
  return {
    /** Call after the list's items were (re)built. */
    observe() {
      observer.disconnect();
      visible.clear();
      queue.length = 0;
      for (const el of listEl.querySelectorAll('.mail-item')) observer.observe(el);
    },
    disconnect: () => observer.disconnect(),
  };
}
