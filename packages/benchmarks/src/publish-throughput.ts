import { IpcConnection, IpcTransport, Logger, Mqtt5Transport, Publisher, type Qos, type Transport } from '@ei-gg/core';
import { allowAllPolicy, IpcEndpoint, MqttBrokerBridge, type Mosquitto } from '@ei-gg/testbench';
import { latencySummary, nowMs, round } from './statistics';

export interface PublishFigures {
  msgs_per_s: number;
  latency_ms: { p50: number; p99: number };
}

const silent = () => new Logger({ level: 'silent' });

/**
 * Publishes `count` messages through `transport` (bounded in flight, as the components do) and measures, at
 * a subscriber on the broker, throughput and the latency of each message from publish call to arrival.
 */
async function measure(
  transport: Transport,
  receiver: Mqtt5Transport,
  topic: string,
  qos: Qos,
  count: number,
): Promise<PublishFigures> {
  const arrivals: number[] = [];
  const latencies: number[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const unsubscribe = await receiver.subscribe(topic, 1, (message) => {
    const at = nowMs();
    latencies.push(at - (JSON.parse(message.payload.toString()) as { sent: number }).sent);
    arrivals.push(at);
    if (arrivals.length === count) done();
  });
  const publisher = new Publisher({ transport, logger: silent(), qos: () => qos, maxInFlight: 32 });
  const start = nowMs();
  for (let i = 0; i < count; i++) {
    await publisher.whenWritable();
    void publisher.publish(topic, { i, sent: nowMs(), pad: 'x'.repeat(200) });
  }
  const timeout = new Promise<void>((_, reject) =>
    setTimeout(() => reject(new Error(`only ${arrivals.length} of ${count} messages arrived`)), 60_000).unref(),
  );
  await Promise.race([all, timeout]);
  await unsubscribe();
  return {
    msgs_per_s: round((count / (arrivals[arrivals.length - 1] - start)) * 1000, 0),
    latency_ms: latencySummary(latencies),
  };
}

export interface PublishBenchmark {
  ipc: Record<'qos0' | 'qos1', PublishFigures>;
  mqtt5: Record<'qos0' | 'qos1', PublishFigures>;
}

/** Through the Greengrass IPC endpoint (bridged to mosquitto, as the nucleus is to IoT Core) and through direct MQTT 5. */
export async function publishThroughput(mosquitto: Mosquitto, count: number): Promise<PublishBenchmark> {
  const receiver = new Mqtt5Transport({
    url: mosquitto.url,
    clientId: `bench-receiver-${process.pid}`,
    logger: silent(),
  });
  await receiver.connect();
  const bridge = await MqttBrokerBridge.connect(mosquitto.url);
  // As on the nucleus, a component without a policy may not publish.
  const endpoint = await IpcEndpoint.start({
    componentName: 'bench',
    iotCore: bridge,
    policy: allowAllPolicy('bench'),
  });
  const connection = new IpcConnection({
    socketPath: endpoint.env.AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT,
    authToken: endpoint.env.SVCUID,
    logger: silent(),
  });
  const ipc = new IpcTransport(connection, { logger: silent() });
  const direct = new Mqtt5Transport({ url: mosquitto.url, clientId: `bench-direct-${process.pid}`, logger: silent() });
  try {
    await ipc.connect();
    await direct.connect();
    return {
      ipc: {
        qos0: await measure(ipc, receiver, 'bench/ipc/0', 0, count),
        qos1: await measure(ipc, receiver, 'bench/ipc/1', 1, count),
      },
      mqtt5: {
        qos0: await measure(direct, receiver, 'bench/mqtt/0', 0, count),
        qos1: await measure(direct, receiver, 'bench/mqtt/1', 1, count),
      },
    };
  } finally {
    await ipc.close();
    await direct.close();
    await endpoint.close();
    await bridge.close();
    await receiver.close();
  }
}
