import { topicMatches } from '@ei-gg/core';

export type MqttQos = 0 | 1;
/** `retain`: the broker kept this message and delivers it because of a new subscription. */
export type MqttMessageHandler = (topic: string, payload: Buffer, retain: boolean) => void;

/**
 * What the IPC endpoint needs from "IoT Core": the nucleus's one MQTT connection. Kept to two calls so
 * that an in-memory broker and a bridge to a real broker (mosquitto) are interchangeable.
 */
export interface IotCoreBridge {
  publish(topic: string, payload: Buffer, qos: MqttQos, retain?: boolean): Promise<void>;
  /** Resolves once the subscription is active, with a function that removes it. */
  subscribe(topicFilter: string, qos: MqttQos, onMessage: MqttMessageHandler): Promise<() => Promise<void>>;
}

/** An in-process broker: MQTT wildcard routing and retained messages, no network. */
export class InMemoryIotCore implements IotCoreBridge {
  private readonly subscriptions = new Set<{ filter: string; onMessage: MqttMessageHandler }>();
  private readonly retained = new Map<string, Buffer>();

  async publish(topic: string, payload: Buffer, _qos: MqttQos, retain = false): Promise<void> {
    // As in MQTT, a retained empty payload clears the topic's retained message.
    if (retain && payload.length === 0) this.retained.delete(topic);
    else if (retain) this.retained.set(topic, Buffer.from(payload));
    for (const subscription of [...this.subscriptions]) {
      if (topicMatches(subscription.filter, topic)) subscription.onMessage(topic, payload, false);
    }
  }

  async subscribe(topicFilter: string, _qos: MqttQos, onMessage: MqttMessageHandler): Promise<() => Promise<void>> {
    const subscription = { filter: topicFilter, onMessage };
    this.subscriptions.add(subscription);
    const retained = [...this.retained].filter(([topic]) => topicMatches(topicFilter, topic));
    // A broker sends retained messages after acknowledging the subscription, so deliver them later.
    if (retained.length > 0) {
      setImmediate(() => {
        for (const [topic, payload] of retained)
          if (this.subscriptions.has(subscription)) onMessage(topic, payload, true);
      });
    }
    return async () => {
      this.subscriptions.delete(subscription);
    };
  }

  /** Topic filters currently subscribed, one entry per subscription. */
  subscribedFilters(): string[] {
    return [...this.subscriptions].map((subscription) => subscription.filter);
  }
}
