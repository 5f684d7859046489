import { topicMatches } from '@ei-gg/core';
import { isTopicFilter } from './mqtt-topic';

/** A local publish/subscribe message: JSON (any JSON object) or bytes. */
export type LocalMessage = { json: Record<string, unknown> } | { binary: Buffer };

export type ReceiveMode = 'RECEIVE_ALL_MESSAGES' | 'RECEIVE_MESSAGES_FROM_OTHERS';

interface Subscription {
  topic: string;
  component: string;
  receiveMode: ReceiveMode;
  deliver: (topic: string, message: LocalMessage) => void;
}

/** The nucleus's local pub/sub broker (aws.greengrass.ipc.pubsub), shared by every connection. */
export class LocalPubSub {
  private readonly subscriptions = new Set<Subscription>();

  /**
   * Subscribes a component. Without a receive mode the nucleus does not echo a component's own messages
   * back to its wildcard subscriptions, but does to exact-topic ones.
   */
  subscribe(
    topic: string,
    component: string,
    receiveMode: ReceiveMode | undefined,
    deliver: Subscription['deliver'],
  ): () => void {
    const subscription: Subscription = {
      topic,
      component,
      receiveMode: receiveMode ?? (isTopicFilter(topic) ? 'RECEIVE_MESSAGES_FROM_OTHERS' : 'RECEIVE_ALL_MESSAGES'),
      deliver,
    };
    this.subscriptions.add(subscription);
    return () => this.subscriptions.delete(subscription);
  }

  publish(topic: string, sourceComponent: string, message: LocalMessage): void {
    for (const subscription of [...this.subscriptions]) {
      if (!topicMatches(subscription.topic, topic)) continue;
      if (subscription.receiveMode === 'RECEIVE_MESSAGES_FROM_OTHERS' && subscription.component === sourceComponent) {
        continue;
      }
      subscription.deliver(topic, message);
    }
  }
}
