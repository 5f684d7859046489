import type { IotCoreBridge, MqttMessageHandler, MqttQos } from '@ei-gg/testbench';
import { nowMs } from './statistics';

type Stamp = (topic: string, payload: Buffer, atMs: number) => void;

/**
 * The nucleus's MQTT connection with timestamps: when a message from the broker reaches it (on its way to the
 * component's SubscribeToIoTCore) and when the component's PublishToIoTCore hands it a message, so that a round
 * trip splits into broker legs and the component's own share (IPC in, the component, IPC out).
 */
export class TimedBridge implements IotCoreBridge {
  constructor(
    private readonly inner: IotCoreBridge,
    private readonly onArrival: Stamp,
    private readonly onPublish: Stamp,
  ) {}

  publish(topic: string, payload: Buffer, qos: MqttQos, retain?: boolean): Promise<void> {
    this.onPublish(topic, payload, nowMs());
    return this.inner.publish(topic, payload, qos, retain);
  }

  subscribe(topicFilter: string, qos: MqttQos, onMessage: MqttMessageHandler): Promise<() => Promise<void>> {
    return this.inner.subscribe(topicFilter, qos, (topic, payload, retain) => {
      this.onArrival(topic, payload, nowMs());
      onMessage(topic, payload, retain);
    });
  }
}
