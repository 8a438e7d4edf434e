import fc from 'fast-check';
import { sendSlices } from '../../shared/kafka/send-slices';

describe('cutting a send of events by size', () => {
  it('when events are cut, then every slice stays under the limit (or is one event alone), and together they are the events in order', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 300 }), fc.integer({ min: 1, max: 5000 }), (sizes, max) => {
      const slices = sendSlices(sizes, (s) => s, max);
      expect(slices.flat()).toEqual(sizes);
      for (const slice of slices) {
        expect(slice.length).toBeGreaterThan(0);
        if (slice.length > 1) expect(slice.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(max);
      }
      // no two neighbours that would have fitted together were split
      for (let i = 1; i < slices.length; i++) {
        const before = slices[i - 1]!.reduce((a, b) => a + b, 0);
        expect(before + slices[i]![0]!).toBeGreaterThan(max);
      }
    }));
  });

  it('when 1,000 events of about 400 bytes are sent, then they go in one send', () => {
    expect(sendSlices(Array.from({ length: 1000 }, () => 560), (s) => s)).toHaveLength(1);
  });
});
