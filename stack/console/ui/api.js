// JSON calls to the console API and the mail API, with errors as exceptions carrying the message.

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function failure(res) {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    if (body?.error) return new ApiError(res.status, body.error.message, body.error.code);
  } catch {
    // the mail API answers errors as plain text, as Mailpit does
  }
  return new ApiError(res.status, text || `HTTP ${res.status}`);
}

export async function getJson(path, signal) {
  const res = await fetch(path, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw await failure(res);
  return res.json();
}

export async function getText(path, signal) {
  const res = await fetch(path, { signal });
  if (!res.ok) throw await failure(res);
  return res.text();
}

export async function send(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    if (body instanceof Blob || body instanceof FormData) init.body = body;
    else {
      init.body = JSON.stringify(body);
      init.headers['content-type'] = 'application/json';
    }
  }
  const res = await fetch(path, init);
  if (!res.ok) throw await failure(res);
  const type = res.headers.get('content-type') ?? '';
  return type.includes('json') ? res.json() : res.text();
}

/** An EventSource that reports connection state to `onState(open)`. */
export function liveEvents(path, handlers, onState) {
  const source = new EventSource(path);
  source.addEventListener('open', () => onState?.(true));
  source.addEventListener('error', () => onState?.(false));
  for (const [name, fn] of Object.entries(handlers)) {
    source.addEventListener(name, (e) => {
      let data;
      try {
        data = JSON.parse(e.data);
      } catch {
        return;
      }
      fn(data);
    });
  }
  return source;
}
