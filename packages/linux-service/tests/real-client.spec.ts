/**
 * The component as a real process (its bin's main, run from sources) under the testbench Greengrass IPC
 * endpoint, supervising the REAL edge-impulse-linux client. With no internet, the client fails to reach
 * Studio and exits: exactly the supervision path. EI_HOST=127.0.0.1 points it at a closed local port
 * (127.0.0.1:4800, its API port for IP hosts), so each run fails in well under a second.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IpcEndpoint, startProcess, waitFor, type ManagedProcess } from '@ei-gg/testbench';
import { bundledClientEntry, CLIENT_BOOTSTRAP } from '../src';
import { deviceOf, startServiceEndpoint } from './support/host-harness';
import { commandLine, environment, isAlive, processTree } from './support/processes';

const { device: DEVICE, topics: TOPICS } = deviceOf('lsreal');
const API_KEY = 'ei_real0client0key0123456789';
const LOCK = '/tmp/ei_gg_lsreal_lock';
const PARAMETERS = {
  device_name: 'lsreal',
  sleep_time_sec: 1,
  lock_filename: LOCK,
  gst_args: 'videotestsrc:!:jpegenc',
  eiparams: '--greengrass --disable-microphone',
};
const REGISTER = join(__dirname, 'support', 'register-ts.js');
const MAIN = join(__dirname, '..', 'src', 'main.ts');

interface Seen {
  cmdline: string[];
  env: Record<string, string>;
}

let endpoint: IpcEndpoint;
let work: string;

beforeAll(async () => {
  // The client's API port must be closed for it to fail fast (and never to talk to something else).
  const refused = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 4800 });
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
  if (!refused) throw new Error('something listens on 127.0.0.1:4800: these tests need that port closed');
  work = mkdtempSync(join(tmpdir(), 'ei-gg-linux-service-real-'));
  endpoint = await startServiceEndpoint({ parameters: PARAMETERS, apiKey: API_KEY });
});

afterAll(async () => {
  await endpoint?.close();
  rmSync(work, { recursive: true, force: true });
});

const results = () =>
  endpoint.published
    .filter((m) => m.topic === TOPICS.commandOutput)
    .map((m) => (JSON.parse(m.payload.toString()) as { result: Record<string, unknown> }).result);

/** Every process below the component, with its kernel command line and environment, polled every few ms. */
function watchTree(root: number): { seen: Map<number, Seen>; stop(): void } {
  const seen = new Map<number, Seen>();
  const timer = setInterval(() => {
    for (const pid of processTree(root)) {
      const cmdline = commandLine(pid);
      const env = environment(pid);
      if (cmdline && env && !seen.has(pid)) seen.set(pid, { cmdline, env });
      if (cmdline?.some((arg) => arg.includes(API_KEY)))
        throw new Error(`the API key is on the command line of pid ${pid}`);
    }
  }, 5);
  return { seen, stop: () => clearInterval(timer) };
}

it('supervises the real client: documented command line and environment, no key in any argv, backed-off restarts, nothing left after SIGTERM', async () => {
  const component: ManagedProcess = await startProcess(process.execPath, ['-r', REGISTER, MAIN], {
    name: 'ei-gg-linux-service',
    cwd: work,
    env: { ...endpoint.env, EI_HOST: '127.0.0.1' },
  });
  const tree = watchTree(component.pid);
  const clientsSeen = () => [...tree.seen.values()].filter(({ cmdline }) => cmdline.includes(CLIENT_BOOTSTRAP));
  try {
    await endpoint.waitForState('RUNNING', 20_000);
    // The tree is sampled: on a busy machine a client that fails fast can come and go unseen, so this waits for
    // four seen clients as well as for four exits (each restart is another chance), rather than counting.
    await waitFor(
      () => results().filter((r) => r.status === 'exited').length >= 4 && clientsSeen().length >= 4,
      30_000,
      'four client exits and four clients seen by the process tree watcher',
    );
    // Stop while a client runs, so its whole tree has to go.
    await waitFor(
      () => [...tree.seen].some(([pid, { cmdline }]) => cmdline.includes(CLIENT_BOOTSTRAP) && isAlive(pid)),
      15_000,
      'a running client',
    );
    process.kill(component.pid, 'SIGTERM');
    expect(await component.exited).toEqual({ code: 0, signal: null });
  } finally {
    tree.stop();
    await component.stop(1000);
  }

  const home = join(work, 'edge-impulse-linux-home');
  // The tree also holds the test harness's esbuild helper (register-ts.js): checked only for leaving with the rest.
  for (const { cmdline, env } of clientsSeen()) {
    expect(cmdline).toEqual([
      process.execPath,
      '--require',
      CLIENT_BOOTSTRAP,
      bundledClientEntry(),
      '--gst-launch-args',
      'videotestsrc ! jpegenc',
      '--disable-microphone',
    ]);
    expect(env).toMatchObject({
      HOME: home,
      EI_GG_DEVICE_NAME: DEVICE,
      EI_GG_API_KEY_FILE: join(home, 'api-key'),
      EI_HOST: '127.0.0.1',
    });
    expect(env.SVCUID).toBeUndefined();
    expect(Object.values(env).join('\n')).not.toContain(API_KEY);
  }

  const all = results();
  const exits = all.filter((r) => r.status === 'exited');
  expect(exits[0]).toMatchObject({ code: 1, signal: null, reason: expect.stringMatching(/^exited with code 1: /) });
  // It got the key (no login prompt) and failed on the network: what a device without Studio access sees.
  expect(exits[0].output).toEqual(expect.arrayContaining(['Failed to authenticate with Edge Impulse: fetch failed']));
  expect((exits[0].output as string[]).join('\n')).not.toContain('[ei-gg]');
  // Back-off: 0.5 s base doubling, capped at sleep_time_sec (1 s), half fixed and half jitter.
  const bounds = [
    [250, 500],
    [500, 1000],
    [500, 1000],
  ];
  for (let n = 0; n < bounds.length; n++) {
    const exit = exits[n];
    const next = all.find((r) => r.status === 'started' && r.restarts === n + 1)!;
    expect(exit.restart_in_ms).toBeGreaterThanOrEqual(bounds[n][0]);
    expect(exit.restart_in_ms).toBeLessThanOrEqual(bounds[n][1]);
    // The restart really waited; a busy machine only makes it later.
    const interval = (next.ts as number) - (exit.ts as number);
    expect(interval).toBeGreaterThanOrEqual((exit.restart_in_ms as number) - 5);
  }

  for (const [pid] of tree.seen) expect(isAlive(pid)).toBe(false);
  expect(existsSync(`${LOCK}_${DEVICE}`)).toBe(false);
  expect(existsSync(join(home, 'edge-impulse-config.json'))).toBe(false);
  expect(existsSync(join(home, 'api-key'))).toBe(false);
  expect(component.output()).not.toContain(API_KEY);
});
