// Date#toISOString costs a few microseconds and every authorization records its time: the
// text up to the seconds is formatted once per second and the milliseconds appended.

let lastSecond = Number.NaN;
let lastPrefix = '';

/** Exactly `new Date(ms).toISOString()` for any valid time. */
export function isoMillis(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    const text = new Date(second * 1000).toISOString();
    // `YYYY-MM-DDTHH:mm:ss.` (or the six-digit year form): everything before the milliseconds.
    lastPrefix = text.slice(0, text.length - 4);
    lastSecond = second;
  }
  const milli = ms - second * 1000;
  return `${lastPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
