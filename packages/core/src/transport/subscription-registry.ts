import type { Logger } from '../logging/logger';
import { topicMatches } from './topic-matches';
import type { IncomingMessage, MessageHandler, Qos } from './transport';

export interface Subscription {
  readonly filter: string;
  readonly qos: Qos;
  readonly handler: MessageHandler;
}

/**
 * The handlers a transport dispatches incoming messages to. Several handlers may share a filter; the transport
 * subscribes at the peer once per filter (at the highest QoS asked for) and unsubscribes when the last one goes.
 */
export class SubscriptionRegistry {
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly logger: Logger) {}

  add(filter: string, qos: Qos, handler: MessageHandler): Subscription {
    const subscription = { filter, qos, handler };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Removes one subscription; true when no other subscription uses its filter any more. */
  remove(subscription: Subscription): boolean {
    this.subscriptions.delete(subscription);
    return this.qosFor(subscription.filter) === undefined;
  }

  /** Highest QoS asked for `filter`, or undefined when nothing subscribes to it. */
  qosFor(filter: string): Qos | undefined {
    return this.filters().get(filter);
  }

  /** Every subscribed filter with its highest QoS. */
  filters(): Map<string, Qos> {
    const filters = new Map<string, Qos>();
    for (const s of this.subscriptions) filters.set(s.filter, Math.max(s.qos, filters.get(s.filter) ?? 0) as Qos);
    return filters;
  }

  /**
   * Hands `message` to every handler whose filter matches its topic, or only to those among `filters` (the
   * subscriptions the broker says it delivers for). A throwing handler is logged, not fatal.
   */
  dispatch(message: IncomingMessage, filters?: ReadonlySet<string>): void {
    let delivered = false;
    for (const s of [...this.subscriptions]) {
      if (filters?.has(s.filter) === false || !topicMatches(s.filter, message.topic)) continue;
      delivered = true;
      try {
        s.handler(message);
      } catch (error) {
        this.logger.error('message handler threw', { topic: message.topic, filter: s.filter, error });
      }
    }
    if (!delivered) this.logger.debug('message matched no subscription', { topic: message.topic });
  }
}
