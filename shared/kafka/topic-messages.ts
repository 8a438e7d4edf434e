import type { Message, TopicMessages } from 'kafkajs';

/**
 * `sendBatch`'s argument with one entry per topic, messages in their order. Grouped here because
 * kafkajs merges repeated topics by copying the topic's array for each entry (quadratic in a
 * chunk's events).
 */
export function topicMessagesOf<T>(items: readonly T[], topicOf: (item: T) => string, toMessage: (item: T) => Message): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const item of items) {
    const topic = topicOf(item);
    const list = byTopic.get(topic);
    if (list) list.push(toMessage(item));
    else byTopic.set(topic, [toMessage(item)]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
