/**
 * SPEC section 1's field formats as RE2 patterns, for the staging models
 * (`{{ timestamp_re }}`, `{{ event_line_re }}`): one definition for the events
 * and the servers file.
 */

/** `YYYY-MM-DD HH:MM:SS`, a 1-6 digit fraction, `T` or space, then nothing, `Z`, `+00` or `+00:00`. */
export const TIMESTAMP_RE = String.raw`\d{4}-\d\d-\d\d[ T](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:Z|\+00(?::00)?)?`;

/** A whole events line: timestamp, three non-negative integers, a boolean in any case. */
export const EVENT_LINE_RE = String.raw`${TIMESTAMP_RE},\d+,\d+,\d+,(?i:true|false|t|f|1|0)`;

/** The patterns as model parameters. */
export const FORMAT_PARAMS = { timestamp_re: TIMESTAMP_RE, event_line_re: EVENT_LINE_RE } as const;
