// When an action falls due. S3 "calculates the time by adding the number of days specified in the
// rule to the object creation time and rounding up the resulting time to the next day at midnight
// UTC" (created 1/15/2014 10:30 UTC + 3 days: due 1/19/2014 00:00 UTC); noncurrent days count from
// the moment the successor version was created, abort days from the upload's initiation, with the
// same rounding. A date-based action is due from that midnight on, and keeps applying after it.

export const DAY_MS = 86_400_000;

/**
 * The midnight UTC that begins the day after `ms`. A time exactly at midnight also moves to the
 * next one, so at least `days` whole days pass (S3's pages do not show that case).
 */
export function nextMidnightAfter(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS + DAY_MS;
}

/** When an action `days` after `since` falls due. */
export function dueAfterDays(since: number, days: number): number {
  return nextMidnightAfter(since + days * DAY_MS);
}

/** S3's HTTP-date form, as in `x-amz-expiration` and `x-amz-abort-date`: `Fri, 23 Dec 2012 00:00:00 GMT`. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
