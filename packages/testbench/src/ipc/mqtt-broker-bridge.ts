import { Logger, Mqtt5Transport } from '@ei-gg/core';
import type { IotCoreBridge, MqttMessageHandler, MqttQos } from './iot-core-bridge';

/**
 * "IoT Core" as a real MQTT 5 broker (mosquitto): the IPC endpoint's PublishToIoTCore reaches a test's broker
 * subscriber and a broker publisher reaches the component's SubscribeToIoTCore.
 *
 * Publishes and subscriptions use one connection each (the Java nucleus also spreads its MQTT traffic over several
 * connections). aws-crt's Node binding cannot set TCP_NODELAY, so on a single connection a reply published right
 * after the PUBACK of the command it answers waited for the broker's delayed ACK (Nagle's algorithm): ~40 ms per
 * command on loopback, a delay of this stand-in, not of the component. On the publishing connection every packet
 * is answered (PUBACK) before the next one goes, so nothing waits.
 */
export class MqttBrokerBridge implements IotCoreBridge {
  private constructor(
    private readonly publisher: Mqtt5Transport,
    private readonly subscriber: Mqtt5Transport,
  ) {}

  static async connect(
    url: string,
    clientId = `ei-gg-nucleus-${process.pid}-${Date.now()}`,
  ): Promise<MqttBrokerBridge> {
    const connection = (suffix: string) =>
      new Mqtt5Transport({ url, clientId: `${clientId}-${suffix}`, logger: new Logger({ level: 'warn' }) });
    const publisher = connection('pub');
    const subscriber = connection('sub');
    await publisher.connect();
    try {
      await subscriber.connect();
    } catch (error) {
      await publisher.close();
      throw error;
    }
    return new MqttBrokerBridge(publisher, subscriber);
  }

  async publish(topic: string, payload: Buffer, qos: MqttQos, retain = false): Promise<void> {
    await this.publisher.publish(topic, payload, { qos, retain });
  }

  async subscribe(topicFilter: string, qos: MqttQos, onMessage: MqttMessageHandler): Promise<() => Promise<void>> {
    return this.subscriber.subscribe(topicFilter, qos, (message) =>
      onMessage(message.topic, message.payload, message.retain),
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.publisher.close(), this.subscriber.close()]);
  }
}
