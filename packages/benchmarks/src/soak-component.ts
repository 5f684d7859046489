import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  Logger,
  Mqtt5Transport,
  deviceTopics,
  readDeviceIdentitySources,
  uniqueDeviceName,
  type ComponentKind,
  withTimeout,
} from '@ei-gg/core';
import { GREENGRASS_DIR, unpackComponent } from './packaged-component';
import { measureFootprint, memoryProbeNodeOptions, type Footprint } from './process-footprint';

/** What the soak reads of a result on inference/output. */
export interface SoakResult {
  id: string;
  total_inferences?: number;
  c?: Record<string, number>;
  box?: unknown[];
}

/** A result as it arrived (first arrival of its id: a QoS 1 repeat is not counted twice). */
export interface Arrival {
  at: number;
  result: SoakResult;
}

/** What the soak reads of get_status. */
export interface SoakStatus {
  inferences?: { seen?: number; published?: number };
  messages?: { failed?: number; dropped?: number };
}

/**
 * A packaged component started by `lifecycle.sh run` on direct MQTT 5 to the broker (so that a broker restart
 * is a fault of the component's own connection: under Greengrass the nucleus would hold it), with the memory
 * probe preloaded. The cloud side records every result, every command/output message and counts the
 * component's log lines (all of them: ManagedProcess keeps only the last 64 KiB).
 */
export class SoakComponent {
  readonly arrivals: Arrival[] = [];
  /** command/output messages other than replies to the soak's own commands, by what they report. */
  readonly events = new Map<string, number>();
  logLines = 0;
  reconnectLines = 0;
  private readonly seenIds = new Set<string>();
  private readonly replies = new Map<string, (status: SoakStatus) => void>();
  private readonly lastLines: string[] = [];

  private constructor(
    readonly kind: ComponentKind,
    private readonly child: ChildProcess,
    private readonly scratch: string,
    private readonly cloud: Mqtt5Transport,
    private readonly topics: ReturnType<typeof deviceTopics>,
  ) {
    for (const stream of [child.stdout, child.stderr])
      if (stream) createInterface({ input: stream }).on('line', (line) => this.onLine(line));
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(
    kind: ComponentKind,
    mqttUrl: string,
    parameters: Record<string, unknown>,
    env: Record<string, string> = {},
  ): Promise<SoakComponent> {
    const scratch = mkdtempSync(join(tmpdir(), `ei-gg-soak-${kind}-`));
    const deviceName = `soak-${kind}`;
    const topics = deviceTopics(uniqueDeviceName(deviceName, readDeviceIdentitySources()));
    const cloud = new Mqtt5Transport({
      url: mqttUrl,
      clientId: `soak-cloud-${kind}-${process.pid}`,
      logger: new Logger({ level: 'silent' }),
    });
    await cloud.connect();
    const configFile = join(scratch, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        Parameters: { ...parameters, device_name: deviceName, lock_filename: join(scratch, 'lock') },
      }),
    );
    const lifecycle = await unpackComponent(kind, GREENGRASS_DIR, join(scratch, 'artifact'));
    const child = spawn(
      'sh',
      [lifecycle, 'run', '--transport', 'mqtt', '--mqtt-url', mqttUrl, '--config', configFile],
      {
        env: {
          ...process.env,
          ...env,
          NODE_OPTIONS: memoryProbeNodeOptions(),
          EI_GG_BENCH_PROBE_DIR: scratch,
        },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await once(child, 'spawn');
    const component = new SoakComponent(kind, child, scratch, cloud, topics);
    await cloud.subscribe(topics.inferenceOutput, 1, (message) => component.onResult(message.payload));
    await cloud.subscribe(topics.commandOutput, 1, (message) => component.onCommandOutput(message.payload));
    return component;
  }

  /** The component process's memory: RSS figures as it runs, the V8 heap after a full collection. */
  sample(): Promise<Footprint> {
    return measureFootprint(this.pid, this.scratch);
  }

  /** get_status, asked from the cloud. */
  async status(): Promise<SoakStatus> {
    const id = `soak-status-${Date.now()}`;
    const replied = new Promise<SoakStatus>((resolve) => this.replies.set(id, resolve));
    await this.cloud.publish(this.topics.commandInput, JSON.stringify({ cmd: 'get_status', id }), { qos: 1 });
    try {
      return await withTimeout(replied, 20_000, `get_status of the ${this.kind}`);
    } finally {
      this.replies.delete(id);
    }
  }

  /** The pid of a descendant process whose command line matches `pattern` (the linux runner's model). */
  descendantPid(pattern: RegExp): number {
    const found = descendants(this.pid).filter((pid) => pattern.test(commandLine(pid)));
    if (found.length !== 1)
      throw new Error(
        `expected one process matching ${pattern} under ${this.kind} (${this.pid}), found [${found.join(', ')}]`,
      );
    return found[0];
  }

  /** The last log lines, for an error message. */
  recentLog(): string {
    return this.lastLines.join('\n');
  }

  async stop(): Promise<void> {
    const exited = this.child.exitCode === null && this.child.signalCode === null ? once(this.child, 'exit') : null;
    killGroup(this.pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(this.pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    killGroup(this.pid, 'SIGKILL');
    await this.cloud.close();
    rmSync(this.scratch, { recursive: true, force: true });
  }

  private onLine(line: string): void {
    this.logLines++;
    if (line.includes('MQTT connection lost')) this.reconnectLines++;
    this.lastLines.push(line);
    if (this.lastLines.length > 50) this.lastLines.shift();
  }

  private onResult(payload: Buffer): void {
    const result = JSON.parse(payload.toString()) as SoakResult;
    if (this.seenIds.has(result.id)) return;
    this.seenIds.add(result.id);
    this.arrivals.push({ at: Date.now(), result });
  }

  private onCommandOutput(payload: Buffer): void {
    if (payload.length === 0) return;
    const message = JSON.parse(payload.toString()) as {
      id?: string;
      result?: { id?: string; status?: unknown; code?: string; error?: string };
    };
    const id = message.result?.id ?? message.id;
    const reply = id === undefined ? undefined : this.replies.get(id);
    if (reply && typeof message.result?.status === 'object') return reply(message.result.status as SoakStatus);
    const what =
      typeof message.result?.status === 'string'
        ? message.result.status
        : (message.result?.code ?? message.result?.error?.replace(/\d+/g, 'N').slice(0, 80) ?? 'other');
    this.events.set(what, (this.events.get(what) ?? 0) + 1);
  }
}

function descendants(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`))
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/))
        if (child !== '') children.push(Number(child));
  } catch {
    // the process is gone
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already empty
  }
}
