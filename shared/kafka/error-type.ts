/**
 * The first of `types` found on a kafkajs error: on the error itself, or on what it wraps
 * (`cause`, `originalError`, an aggregate's `errors`). kafkajs wraps a broker's answer in retry
 * and send errors, so the protocol error's `type` is rarely on the outermost one.
 */
export function kafkaErrorTypeIn(err: unknown, types: ReadonlySet<string>, seen = new Set<unknown>()): string | null {
  if (!err || typeof err !== 'object' || seen.has(err)) return null;
  seen.add(err);
  const e = err as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  if (typeof e.type === 'string' && types.has(e.type)) return e.type;
  for (const inner of [e.originalError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const found = kafkaErrorTypeIn(inner, types, seen);
    if (found) return found;
  }
  return null;
}
