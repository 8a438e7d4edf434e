/**
 * `{ ...base, ...extra }`, as one Object.assign. In Node 20's V8 every property added to a spread
 * copy (`{ ...base, a }`, or a second spread) took about 0.9 µs, against 0.17 µs for the whole
 * assign (22nd session, bench/results/ab-2026-11-27-twentysecond.txt); the runner and the handlers
 * do it for every message and every line. For objects whose keys the code knows (Avro records,
 * rows, its own): Object.assign sets rather than defines, so an own key `__proto__` would not copy.
 */
export function extend<Base extends object, Extra extends object>(base: Base, extra: Extra): Omit<Base, keyof Extra> & Extra {
  return Object.assign({}, base, extra);
}
