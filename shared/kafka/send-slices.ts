/**
 * The most bytes (keys, values, headers) one send of events carries. kafkajs puts each
 * partition's messages of a send into one record batch, and the broker refuses a batch over its
 * `message.max.bytes` (1 MiB by default), so a send held under that cannot be refused for its size
 * whichever partitions its events go to.
 */
export const SEND_SLICE_BYTES = 900 * 1024;

/** Consecutive slices of `events` of at most `maxBytes` each by `sizeOf`; an event larger than that goes alone. Order is kept. */
export function sendSlices<T>(events: readonly T[], sizeOf: (event: T) => number, maxBytes = SEND_SLICE_BYTES): (readonly T[])[] {
  const starts = [0];
  let bytes = 0;
  events.forEach((event, i) => {
    const size = sizeOf(event);
    if (i > starts[starts.length - 1]! && bytes + size > maxBytes) {
      starts.push(i);
      bytes = 0;
    }
    bytes += size;
  });
  if (events.length === 0) return [];
  // the usual chunk fits whole: hand it back without copying it
  if (starts.length === 1) return [events];
  return starts.map((start, k) => events.slice(start, starts[k + 1] ?? events.length));
}
