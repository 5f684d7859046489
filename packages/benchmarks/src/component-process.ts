import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COMPONENTS,
  Logger,
  Mqtt5Transport,
  componentAccessControl,
  deviceTopics,
  readDeviceIdentitySources,
  uniqueDeviceName,
  type ComponentKind,
  withTimeout,
} from '@ei-gg/core';
import { IpcEndpoint, MqttBrokerBridge, startProcess, type Mosquitto } from '@ei-gg/testbench';
import { latencySummary, nowMs, round } from './statistics';

export interface ComponentFigures {
  first_result_s: number;
  rss_mb: number;
  command_rtt_ms: { p50: number; p99: number };
  /** The same cloud client's own publish → receive hop through the broker: the floor of any round trip. */
  broker_rtt_ms?: { p50: number; p99: number };
}

export interface ComponentUnderTest {
  kind: ComponentKind;
  /** The component's bin, run on this Node as Greengrass runs the artifact's main. */
  bin: string;
  /** `Parameters` of its configuration; `device_name` is set here. */
  parameters: Record<string, unknown>;
  env?: Record<string, string>;
}

export interface ProcessOptions {
  commands: number;
  /** Broker hops to time as the baseline of the command round trip; 0: none. */
  hops: number;
  rssAfterMs: number;
}

/**
 * A component as Greengrass runs it (bin, IPC endpoint bridged to mosquitto, the recipe's policy): time from
 * process start to the first result at the broker, command round trips from the cloud, and resident memory
 * of the component process once it has run for `rssAfterMs`.
 */
export async function componentProcess(
  mosquitto: Mosquitto,
  component: ComponentUnderTest,
  options: ProcessOptions,
): Promise<ComponentFigures> {
  const device = uniqueDeviceName('bench', readDeviceIdentitySources());
  const topics = deviceTopics(device);
  const cloud = new Mqtt5Transport({
    url: mosquitto.url,
    clientId: `bench-cloud-${process.pid}`,
    logger: new Logger({ level: 'silent' }),
  });
  await cloud.connect();
  const bridge = await MqttBrokerBridge.connect(mosquitto.url);
  const endpoint = await IpcEndpoint.start({
    componentName: COMPONENTS[component.kind].componentName,
    configuration: { Parameters: { ...component.parameters, device_name: 'bench' } },
    iotCore: bridge,
    policy: componentAccessControl(component.kind),
  });
  const replies = new Map<string, (at: number) => void>();
  let firstResult!: (at: number) => void;
  const firstResultAt = new Promise<number>((resolve) => (firstResult = resolve));
  await cloud.subscribe(topics.inferenceOutput, 1, () => firstResult(nowMs()));
  const hopArrivals = new Map<string, (at: number) => void>();
  await cloud.subscribe('bench/hop', 1, (message) => hopArrivals.get(message.payload.toString())?.(nowMs()));
  await cloud.subscribe(topics.commandOutput, 1, (message) => {
    const id = (JSON.parse(message.payload.toString()) as { result: { id?: string } }).result.id;
    if (id) replies.get(id)?.(nowMs());
  });
  const startedAt = nowMs();
  const runner = await startProcess(process.execPath, [component.bin], { env: { ...endpoint.env, ...component.env } });
  try {
    const first = await withTimeout(firstResultAt, 20_000, 'the first result');
    const rtts: number[] = [];
    for (let i = 0; i < options.commands; i++) {
      const id = `rtt-${i}`;
      const replied = new Promise<number>((resolve) => replies.set(id, resolve));
      const sent = nowMs();
      await cloud.publish(topics.commandInput, JSON.stringify({ cmd: 'get_threshold_filter_config', id }), { qos: 1 });
      rtts.push((await withTimeout(replied, 10_000, `the reply to ${id}`)) - sent);
      replies.delete(id);
    }
    const hops: number[] = [];
    for (let i = 0; i < options.hops; i++) {
      const arrived = new Promise<number>((resolve) => hopArrivals.set(`hop-${i}`, resolve));
      const sent = nowMs();
      await cloud.publish('bench/hop', `hop-${i}`, { qos: 1 });
      hops.push((await withTimeout(arrived, 10_000, 'a broker hop')) - sent);
    }
    const waitMs = options.rssAfterMs - (nowMs() - startedAt);
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    return {
      first_result_s: round((first - startedAt) / 1000),
      rss_mb: round(residentMegabytes(runner.pid), 1),
      command_rtt_ms: latencySummary(rtts),
      ...(hops.length > 0 ? { broker_rtt_ms: latencySummary(hops) } : {}),
    };
  } finally {
    await runner.stop(5000);
    await endpoint.close();
    await bridge.close();
    await cloud.close();
  }
}

function residentMegabytes(pid: number): number {
  const status = readFileSync(join('/proc', String(pid), 'status'), 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS for pid ${pid}`);
  return kb / 1024;
}
