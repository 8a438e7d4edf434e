/**
 * The most bytes (keys, values, headers) one send of events carries. kafkajs puts each
 * partition's messages of a send into one record batch, and the broker refuses a batch over its
 * `message.max.bytes` (1 MiB by default), so a send held under that cannot be refused for its size
 * whichever partitions its events go to.
 */
export const SEND_SLICE_BYTES = 900 * 1024;

/** Consecutive slices of `events` of at most `maxBytes` each by `sizeOf`; an event larger than that goes alone. Order is kept. */
export function sendSlices<T>(events: readonly T[], sizeOf: (event: T) => number, maxBytes = SEND_SLICE_BYTES): (readonly T[])[] {
  // the usual chunk fits whole: hand it back without copying it
  if (events.reduce((n, e) => n + sizeOf(e), 0) <= maxBytes) return events.length > 0 ? [events] : [];
  const slices: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = sizeOf(event);
    if (current.length > 0 && bytes + size > maxBytes) {
      slices.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) slices.push(current);
  return slices;
}
