/**
 * `npm run bench`: measures every speed claim, each in the same run as its baseline (these machines are noisy:
 * compare ratios, not absolute numbers across runs), prints a table and writes `dist/bench/latest.json`.
 * `--smoke` runs every benchmark with tiny counts (CI checks that it runs; its figures mean nothing).
 * `--heap-snapshot` also writes `dist/bench/serial-runner-after-gc.heapsnapshot` and lists what each package's code
 * costs in it.
 * `--soak <minutes>` runs only the soak (see soak.ts) and writes `dist/bench/soak.json`; the figures above are
 * left as they are.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { releaseNativeClients } from '@ei-gg/core';
import { startMosquitto } from '@ei-gg/testbench';
import { artifactSizes } from './artifact-sizes';
import { heapCostByModule } from './heap-snapshot-modules';
import { httpApiThroughput } from './http-api-throughput';
import { installTimes } from './install-time';
import { linuxRunnerProcess } from './linux-runner-process';
import { GREENGRASS_DIR } from './packaged-component';
import { pipelineThroughput } from './pipeline-throughput';
import { previewFpsRatio } from './preview-fps-ratio';
import { publishThroughput } from './publish-throughput';
import { runnerFpsRatio } from './runner-fps-ratio';
import { serialParseThroughput } from './serial-parse-throughput';
import type { ComponentFigures } from './component-process';
import { serialRunnerProcess } from './serial-runner-process';
import { soak } from './soak';
import { triggerLatency } from './trigger-latency';

const ROOT = join(__dirname, '../../..');
const smoke = process.argv.includes('--smoke');
const heapSnapshot = process.argv.includes('--heap-snapshot');
const OUT = join(ROOT, 'dist/bench');
/** `--soak <minutes>`, or `--soak=<minutes>` as nx forwards it from `npm run bench -- --soak <minutes>`. */
const soakArg = process.argv.findIndex((arg) => arg === '--soak' || arg.startsWith('--soak='));
const soakMinutes = soakArg < 0 ? undefined : Number(process.argv[soakArg].split('=')[1] ?? process.argv[soakArg + 1]);
const size = smoke
  ? {
      pipeline: 2_000,
      parseMb: 0.5,
      publish: 100,
      commands: 20,
      hops: 20,
      rssAfterMs: 0,
      frames: 20,
      triggers: 10,
      apiRequests: 20,
    }
  : {
      pipeline: 200_000,
      parseMb: 50,
      publish: 5_000,
      commands: 1_000,
      hops: 200,
      rssAfterMs: 60_000,
      frames: 500,
      triggers: 300,
      apiRequests: 500,
    };

async function main(): Promise<void> {
  if (soakMinutes !== undefined) {
    try {
      return await soak(soakMinutes, OUT);
    } finally {
      await releaseNativeClients();
    }
  }
  const pipeline = await pipelineThroughput(size.pipeline);
  const serialParse = serialParseThroughput(
    join(ROOT, 'packages/serial-runner/tests/fixtures/transcripts'),
    size.parseMb,
  );
  const runnerFps = await runnerFpsRatio(size.frames);
  const httpApi = await httpApiThroughput(size.apiRequests);
  const previewFps = await previewFpsRatio(size.frames);
  const install = await installTimes(GREENGRASS_DIR);
  const artifacts = artifactSizes(GREENGRASS_DIR);
  mkdirSync(OUT, { recursive: true });
  const snapshotPath = join(OUT, 'serial-runner-after-gc.heapsnapshot');
  const mosquitto = await startMosquitto();
  try {
    const publish = await publishThroughput(mosquitto, size.publish);
    const serialRunner = await serialRunnerProcess(mosquitto, {
      commands: size.commands,
      hops: size.hops,
      rssAfterMs: size.rssAfterMs,
      ...(heapSnapshot ? { heapSnapshotPath: snapshotPath } : {}),
    });
    // The same component and commands on direct MQTT 5 (no nucleus): the component's own aws-crt connection.
    const serialRunnerMqtt = await serialRunnerProcess(mosquitto, {
      commands: size.commands,
      hops: 0,
      rssAfterMs: 0,
      transport: 'mqtt',
    });
    // Commands take the same shared path in every component: the serial runner's round trips are the figure.
    const linuxRunner = await linuxRunnerProcess(mosquitto, { commands: 0, hops: 0, rssAfterMs: size.rssAfterMs });
    const trigger = await triggerLatency(mosquitto, size.triggers);
    const brokerRtt = serialRunner.broker_rtt_ms!;
    // The linux service has no result of its own to wait for (it supervises Edge Impulse's client): not measured.
    const processes = { 'serial-runner': serialRunner, 'linux-runner': linuxRunner };
    const perComponent = <K extends keyof ComponentFigures>(key: K) =>
      Object.fromEntries(Object.entries(processes).map(([kind, figures]) => [kind, figures[key]]));
    const report = {
      smoke,
      cores: cpus().length,
      commit: gitCommit(),
      measured_at: new Date().toISOString(),
      pipeline_results_per_s: pipeline.results_per_s,
      runner_fps_ratio: runnerFps.runner_fps_ratio,
      http_api_ratio: httpApi.model.ratio,
      http_api_requests_per_s: httpApi.model.api_requests_per_s,
      preview_fps_ratio: previewFps.preview_fps_ratio,
      trigger_rtt_ms_p50: trigger.trigger_rtt_ms.p50,
      trigger_overhead_ratio: trigger.trigger_overhead_ratio,
      publish_ipc_msgs_per_s: publish.ipc.qos1.msgs_per_s,
      publish_mqtt5_msgs_per_s: publish.mqtt5.qos1.msgs_per_s,
      publish_latency_ms_p99: publish.ipc.qos1.latency_ms.p99,
      // Direct MQTT 5: the component's aws-crt connection sends its reply right after the command's PUBACK, and
      // aws-crt 1.33's Node binding cannot set TCP_NODELAY (aws-c-io has the option, the binding does not pass it;
      // strace shows no TCP_NODELAY on its sockets), so the reply waits for the broker's delayed ACK (Linux: ~40 ms)
      // under Nagle's algorithm. The broker's own side sends at once (mosquitto set_tcp_nodelay). See details.
      command_rtt_ms_p50: serialRunnerMqtt.command_rtt_ms.p50,
      command_rtt_ms_p99: serialRunnerMqtt.command_rtt_ms.p99,
      // Greengrass: broker → nucleus stand-in → IPC → component → IPC → nucleus stand-in → broker.
      command_rtt_ipc_ms_p50: serialRunner.command_rtt_ms.p50,
      command_rtt_ipc_ms_p99: serialRunner.command_rtt_ms.p99,
      serial_parse_mb_per_s: serialParse.mb_per_s,
      rss_mb: perComponent('rss_mb'),
      rss_anon_mb: perComponent('rss_anon_mb'),
      heap_after_gc_mb: perComponent('heap_after_gc_mb'),
      resident_mb: perComponent('resident_mb'),
      first_result_s: perComponent('first_result_s'),
      artifact_mb: artifacts,
      install_s: Object.fromEntries(Object.entries(install).map(([kind, figures]) => [kind, figures.install_s])),
      details: {
        pipeline: { ...pipeline, unit: 'results/s on one core; baseline: encoding the same payloads only' },
        serial_parse: { ...serialParse, unit: 'MB/s; multiple of the 11 520 B/s a 115200-baud line carries' },
        runner_fps: {
          ...runnerFps,
          unit: 'frames/s of the component over its sample images / of a bare resize + LinuxImpulseRunner.classify loop on the same frames and model',
        },
        http_api: {
          ...httpApi,
          unit: `POST /api/features requests/s of the linux runner's HTTP API (component process, triggered mode so its input stays idle, ${httpApi.in_flight} clients in flight on keep-alive connections) / classifications/s of a bare ModelSession.classify loop on the same features and model; model: the demo model at 20 ms per inference, instant: at 0 ms (the API's own cost per request)`,
        },
        preview_fps: {
          ...previewFps,
          unit: 'frames/s of the linux runner with one live preview WebSocket client watching the camera preview / with none (goal >= 0.95); runs alternate without, with, with, without',
        },
        trigger: {
          ...trigger,
          unit: 'ms from a request on the local request topic to its answer (request_id) on local pub/sub, linux runner under the IPC endpoint, triggered mode, one request at a time; baseline: median frame of a bare resize + LinuxImpulseRunner.classify loop on the same frames and model',
        },
        install: {
          ...install,
          unit: 's: artifact copied, verified and unpacked, then the Install step, offline (recipe runner)',
        },
        artifacts: { sizes: artifacts, unit: 'MB of each artifact zip (dist/greengrass), <component>/<arch>' },
        component_processes: {
          ...processes,
          unit: `s from process start to the first result at the broker (IPC, as under Greengrass); memory of the component process after ${size.rssAfterMs / 1000} s: VmRSS, RssAnon (private, without mapped files), V8 heap used after a full GC; resident_mb: VmRSS by mapping (the Node binary, glibc's main arena, anonymous: V8 heap, thread arenas and stacks; addons and their libraries; other files)`,
        },
        publish: {
          ...publish,
          unit: 'messages/s and ms from publish call to arrival at a broker subscriber, 32 in flight',
        },
        command_rtt: {
          ipc: serialRunner,
          mqtt: serialRunnerMqtt,
          // A command crosses the broker twice (to the device, back to the cloud): the rest is ours.
          ipc_ratio_to_two_broker_hops:
            Math.round((serialRunner.command_rtt_ms.p50 / (2 * brokerRtt.p50)) * 1000) / 1000,
          unit: 'ms from publishing on command/input to the answer on command/output; ipc legs: cloud publish → nucleus connection, nucleus → IPC → component → IPC → nucleus, nucleus → cloud receipt; baseline: one broker hop between two cloud clients',
        },
        ...(heapSnapshot ? { serial_runner_heap: { ...heapCostByModule(snapshotPath), snapshot: snapshotPath } } : {}),
      },
    };
    writeFileSync(join(OUT, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
    printTable(report);
  } finally {
    await mosquitto.stop();
    await releaseNativeClients();
  }
}

function printTable(report: Record<string, unknown>): void {
  const rows: Array<[string, unknown]> = Object.entries(report).filter(([key]) => key !== 'details');
  const width = Math.max(...rows.map(([key]) => key.length));
  for (const [key, value] of rows)
    console.log(`${key.padEnd(width)}  ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  console.log(`\nwritten to dist/bench/latest.json`);
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
