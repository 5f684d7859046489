import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import { GREENGRASS_DIR, unpackComponent } from './packaged-component';
import { measureFootprint, memoryProbeArgs, memoryProbeNodeOptions, type Footprint } from './process-footprint';
import { residentBreakdown, type ResidentBreakdown } from './resident-breakdown';
import { latencySummary, nowMs, round } from './statistics';
import { TimedBridge } from './timed-bridge';

type Latency = { p50: number; p99: number };

export interface ComponentFigures extends Footprint {
  transport: 'ipc' | 'mqtt';
  first_result_s: number;
  /** rss_mb by what the mappings hold, read just before it. */
  resident_mb: ResidentBreakdown;
  command_rtt_ms: Latency;
  /** IPC only: the round trip split at the nucleus's MQTT connection (see TimedBridge). */
  command_legs_ms?: { broker_to_nucleus: Latency; component_via_ipc: Latency; nucleus_to_cloud: Latency };
  /** The cloud's own publish → receive hop through the broker (one client publishes, another receives). */
  broker_rtt_ms?: Latency;
}

export interface ComponentUnderTest {
  kind: ComponentKind;
  /** The component's bin (dist/main.js), run on this Node only for a heap snapshot (it names every file). */
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
  /** 'ipc' (default): under the IPC endpoint bridged to the broker, as Greengrass runs it; 'mqtt': direct MQTT 5. */
  transport?: 'ipc' | 'mqtt';
  /**
   * Where to write a heap snapshot of the component process after a full GC (bench option, off by default). The
   * process then runs the unbundled dist/main.js on this Node, so that the snapshot attributes code to packages.
   */
  heapSnapshotPath?: string;
  /** More NODE_OPTIONS and environment for the component process: to compare settings in one run. */
  nodeOptions?: string[];
  env?: Record<string, string>;
  /** Another `npm run package` output than the repository's dist/greengrass: to compare two builds in one run. */
  greengrassDir?: string;
}

/**
 * A component as Greengrass runs it (its packaged artifact unpacked, started by `lifecycle.sh run`, the IPC
 * endpoint bridged to mosquitto, the recipe's policy), or on direct
 * MQTT 5: time from process start to the first result at the broker, command round trips from the cloud, and the
 * memory of the component process once it has run for `rssAfterMs`.
 *
 * The cloud publishes commands on one connection and receives replies on another: aws-crt's Node binding cannot
 * set TCP_NODELAY, so one connection that sent a PUBACK and then the next command waited for the broker's delayed
 * ACK (Nagle), a delay of this bench's client that no cloud application needs to have.
 */
export async function componentProcess(
  mosquitto: Mosquitto,
  component: ComponentUnderTest,
  options: ProcessOptions,
): Promise<ComponentFigures> {
  const transport = options.transport ?? 'ipc';
  const device = uniqueDeviceName('bench', readDeviceIdentitySources());
  const topics = deviceTopics(device);
  const scratch = mkdtempSync(join(tmpdir(), 'ei-gg-bench-process-'));
  const client = (role: string) =>
    new Mqtt5Transport({
      url: mosquitto.url,
      clientId: `bench-cloud-${role}-${process.pid}`,
      logger: new Logger({ level: 'silent' }),
    });
  const cloudOut = client('out');
  const cloudIn = client('in');
  await cloudOut.connect();
  await cloudIn.connect();
  const commandArrivals = new Map<string, number>();
  const replyPublishes = new Map<string, number>();
  /** The id of a command or of a reply; none for the component's empty clear of the retained command slot. */
  const idOf = (payload: Buffer, path: 'command' | 'reply'): string | undefined => {
    if (payload.length === 0) return undefined;
    const parsed = JSON.parse(payload.toString()) as { id?: string; result?: { id?: string } };
    return path === 'command' ? parsed.id : parsed.result?.id;
  };
  const bridge = transport === 'ipc' ? await MqttBrokerBridge.connect(mosquitto.url) : undefined;
  const endpoint =
    bridge === undefined
      ? undefined
      : await IpcEndpoint.start({
          componentName: COMPONENTS[component.kind].componentName,
          configuration: { Parameters: { ...component.parameters, device_name: 'bench' } },
          iotCore: new TimedBridge(
            bridge,
            (topic, payload, at) => {
              const id = topic === topics.commandInput ? idOf(payload, 'command') : undefined;
              if (id !== undefined) commandArrivals.set(id, at);
            },
            (topic, payload, at) => {
              const id = topic === topics.commandOutput ? idOf(payload, 'reply') : undefined;
              if (id !== undefined) replyPublishes.set(id, at);
            },
          ),
          policy: componentAccessControl(component.kind),
        });
  const replies = new Map<string, (at: number) => void>();
  let firstResult!: (at: number) => void;
  const firstResultAt = new Promise<number>((resolve) => (firstResult = resolve));
  await cloudIn.subscribe(topics.inferenceOutput, 1, () => firstResult(nowMs()));
  const hopArrivals = new Map<string, (at: number) => void>();
  await cloudIn.subscribe('bench/hop', 1, (message) => hopArrivals.get(message.payload.toString())?.(nowMs()));
  await cloudIn.subscribe(topics.commandOutput, 1, (message) => {
    const id = idOf(message.payload, 'reply');
    if (id) replies.get(id)?.(nowMs());
  });
  const componentArgs: string[] = [];
  if (transport === 'mqtt') {
    const configFile = join(scratch, 'config.json');
    writeFileSync(configFile, JSON.stringify({ Parameters: { ...component.parameters, device_name: 'bench' } }));
    componentArgs.push('--transport', 'mqtt', '--mqtt-url', mosquitto.url, '--config', configFile);
  }
  const nodeOptions = [...(options.nodeOptions ?? [])];
  let command: string;
  let args: string[];
  if (options.heapSnapshotPath === undefined) {
    // As deployed: the exec in lifecycle.sh keeps the pid, so the probe and /proc read the component's Node.
    nodeOptions.unshift(memoryProbeNodeOptions());
    command = 'sh';
    args = [
      await unpackComponent(component.kind, options.greengrassDir ?? GREENGRASS_DIR, join(scratch, 'artifact')),
      'run',
      ...componentArgs,
    ];
  } else {
    command = process.execPath;
    args = [...memoryProbeArgs(), component.bin, ...componentArgs];
  }
  const startedAt = nowMs();
  const runner = await startProcess(command, args, {
    env: {
      ...endpoint?.env,
      ...component.env,
      ...options.env,
      ...(nodeOptions.length > 0 ? { NODE_OPTIONS: nodeOptions.join(' ') } : {}),
      EI_GG_BENCH_PROBE_DIR: scratch,
      ...(options.heapSnapshotPath === undefined ? {} : { EI_GG_BENCH_HEAP_SNAPSHOT: '1' }),
    },
  });
  try {
    const first = await withTimeout(firstResultAt, 20_000, 'the first result');
    const rtts: number[] = [];
    const legs = { in: [] as number[], component: [] as number[], out: [] as number[] };
    for (let i = 0; i < options.commands; i++) {
      const id = `rtt-${i}`;
      const replied = new Promise<number>((resolve) => replies.set(id, resolve));
      const sent = nowMs();
      await cloudOut.publish(topics.commandInput, JSON.stringify({ cmd: 'get_threshold_filter_config', id }), {
        qos: 1,
      });
      const received = await withTimeout(replied, 10_000, `the reply to ${id}`);
      rtts.push(received - sent);
      replies.delete(id);
      const arrived = commandArrivals.get(id);
      const published = replyPublishes.get(id);
      if (arrived !== undefined && published !== undefined) {
        legs.in.push(arrived - sent);
        legs.component.push(published - arrived);
        legs.out.push(received - published);
      }
    }
    const hops: number[] = [];
    for (let i = 0; i < options.hops; i++) {
      const arrived = new Promise<number>((resolve) => hopArrivals.set(`hop-${i}`, resolve));
      const sent = nowMs();
      await cloudOut.publish('bench/hop', `hop-${i}`, { qos: 1 });
      hops.push((await withTimeout(arrived, 10_000, 'a broker hop')) - sent);
    }
    const waitMs = options.rssAfterMs - (nowMs() - startedAt);
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    const resident = residentBreakdown(runner.pid);
    const footprint = await measureFootprint(runner.pid, scratch);
    if (options.heapSnapshotPath !== undefined)
      copyFileSync(join(scratch, 'after-gc.heapsnapshot'), options.heapSnapshotPath);
    return {
      transport,
      first_result_s: round((first - startedAt) / 1000),
      ...footprint,
      resident_mb: resident,
      command_rtt_ms: latencySummary(rtts),
      ...(legs.component.length > 0
        ? {
            command_legs_ms: {
              broker_to_nucleus: latencySummary(legs.in),
              component_via_ipc: latencySummary(legs.component),
              nucleus_to_cloud: latencySummary(legs.out),
            },
          }
        : {}),
      ...(hops.length > 0 ? { broker_rtt_ms: latencySummary(hops) } : {}),
    };
  } finally {
    await runner.stop(5000);
    await endpoint?.close();
    await bridge?.close();
    await cloudOut.close();
    await cloudIn.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
