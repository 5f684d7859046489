import { Logger, Mqtt5Transport } from '@ei-gg/core';
import type { IotCoreBridge, MqttMessageHandler, MqttQos } from './iot-core-bridge';

/**
 * "IoT Core" as a real MQTT 5 broker (mosquitto): the IPC endpoint's PublishToIoTCore and SubscribeToIoTCore
 * go over one connection, as the nucleus's do, so a test's broker subscriber sees what a component published
 * through IPC and a broker publisher reaches the component's subscription.
 */
export class MqttBrokerBridge implements IotCoreBridge {
  private constructor(private readonly transport: Mqtt5Transport) {}

  static async connect(
    url: string,
    clientId = `ei-gg-nucleus-${process.pid}-${Date.now()}`,
  ): Promise<MqttBrokerBridge> {
    const transport = new Mqtt5Transport({ url, clientId, logger: new Logger({ level: 'warn' }) });
    await transport.connect();
    return new MqttBrokerBridge(transport);
  }

  async publish(topic: string, payload: Buffer, qos: MqttQos, retain = false): Promise<void> {
    await this.transport.publish(topic, payload, { qos, retain });
  }

  async subscribe(topicFilter: string, qos: MqttQos, onMessage: MqttMessageHandler): Promise<() => Promise<void>> {
    return this.transport.subscribe(topicFilter, qos, (message) =>
      onMessage(message.topic, message.payload, message.retain),
    );
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
