import { setFlagsFromString } from 'v8';

/**
 * Caps V8's old-generation growth factor (HEAP_GROWING_PERCENT). A service's objects live for one
 * fetch, long enough to be promoted out of the young generation, then die there: with V8's own
 * factor (up to 4× what survived the last full collection) that garbage piles up to hundreds of MB
 * before it is collected. The flag is read at every collection, so setting it at start-up takes
 * effect from the next one.
 */
export function capHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
