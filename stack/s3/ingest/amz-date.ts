// SigV4 timestamps: `yyyyMMddTHHmmssZ` on the wire, ISO 8601 with dashes in S3's error extras.

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

// Every request of the same second carries the same x-amz-date: the last valid one is kept.
let lastText: string | undefined;
let lastMs = 0;

/** Milliseconds since the epoch, or undefined when `text` is not a valid basic-format UTC time. */
export function parseAmzDate(text: string): number | undefined {
  if (text === lastText) return lastMs;
  const ms = parseAmzDateText(text);
  if (ms !== undefined) {
    lastText = text;
    lastMs = ms;
  }
  return ms;
}

function parseAmzDateText(text: string): number | undefined {
  const m = AMZ_DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Reject 20130231T...: Date.UTC silently rolls it over.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    return undefined;
  return ms;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** `2013-05-24T00:00:00Z`, the form of S3's ServerTime / Expires error elements. */
export function formatIsoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
