import { randomUUID } from 'crypto';

/**
 * The envelope of a record that starts a flow (a command, a warehouse or stock event): a new
 * eventId that is also the correlationId, no cause, and order version 0.
 */
export function newEnvelope(producer: string, orderId: string | null, eventId: string = randomUUID()) {
  return { eventId, orderId, occurredAt: Date.now(), correlationId: eventId, causationId: null, producer, orderVersion: 0 };
}
