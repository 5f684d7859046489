import { startMosquitto, type Mosquitto } from '../mqtt/mosquitto';
import { connectTestClient, type TestMqttClient } from '../mqtt/test-mqtt-client';
import { MqttBrokerBridge } from './mqtt-broker-bridge';

/**
 * AWS IoT Core as the component-level tests need it: a mosquitto broker, the nucleus's connection to it (the
 * `iotCore` of an IpcEndpoint) and cloud-side clients already subscribed to what a test watches.
 */
export interface IotCoreStandIn {
  readonly mosquitto: Mosquitto;
  /** Pass as `iotCore` to IpcEndpoint.start(). */
  readonly bridge: MqttBrokerBridge;
  /** A client playing the cloud, subscribed (QoS 1) to `filter` before it is returned. */
  cloudClient(filter: string): Promise<TestMqttClient>;
  stop(): Promise<void>;
}

export async function startIotCore(): Promise<IotCoreStandIn> {
  const mosquitto = await startMosquitto();
  const bridge = await MqttBrokerBridge.connect(mosquitto.url).catch(async (error) => {
    await mosquitto.stop();
    throw error;
  });
  return {
    mosquitto,
    bridge,
    async cloudClient(filter) {
      const client = await connectTestClient(mosquitto.url);
      await client.subscribe(filter, 1);
      return client;
    },
    async stop() {
      await bridge.close();
      await mosquitto.stop();
    },
  };
}
