/**
 * shadow_name on the nucleus as it is by default and on Nucleus Lite: a component hosted by the shared CLI front
 * and ComponentHost, over Greengrass IPC (the real wire protocol) to the testbench endpoint with the recipe's
 * generated accessControl. The Java nucleus does not substitute `{iot:thingName}` unless
 * interpolateComponentConfiguration is on (it is off here, as by default), so the generated policy must grant
 * the shadow without it; Lite has no shadow operations at all, so shadow_name is refused there, saying why.
 */
import { IpcEndpoint, waitFor } from '@ei-gg/testbench';
import { runComponentCli } from '../../src/cli/run-component-cli';
import { COMPONENTS } from '../../src/component-kind';
import { componentAccessControl } from '../../src/recipe/access-control';
import { PRODUCT_VERSION } from '../../src/version';
import { startHosted } from '../support/host-harness';

const KIND = 'serial-runner' as const;
const NAME = COMPONENTS[KIND].componentName;
const THING = 'gg-core-9';
const SHADOW = 'edgeimpulse-settings';
const PARAMETERS = {
  device_name: 'shadowtest',
  metrics_sleeptime_ms: 0,
  lock_filename: '/tmp/ei_gg_shadowtest_lock',
  shadow_name: SHADOW,
};
let endpoint: IpcEndpoint;

afterEach(async () => {
  await endpoint?.close();
});

async function startEndpoint(nucleus: 'classic' | 'lite'): Promise<void> {
  endpoint = await IpcEndpoint.start({
    componentName: NAME,
    thingName: THING,
    nucleus,
    configuration: { Parameters: PARAMETERS },
    policy: componentAccessControl(KIND),
  });
}

/** The component through the real CLI front until `stop()`; `env` is added to the endpoint's. */
function startComponent(env: Record<string, string> = {}) {
  return startHosted(KIND, { env: { ...endpoint.env, ...env } });
}

/** `--check-config` through the real CLI front: its JSON summary. */
async function checkConfig(env: Record<string, string>): Promise<{ warnings: string[] }> {
  let out = '';
  const code = await runComponentCli(KIND, ['--check-config'], async () => 0, {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: () => true },
    env: { ...endpoint.env, ...env },
  });
  expect(code).toBe(0);
  return JSON.parse(out) as { warnings: string[] };
}

it('follows the shadow with the generated policy on a nucleus that does not interpolate {iot:thingName}', async () => {
  await startEndpoint('classic');
  // The generated resources name no recipe variable: they hold without interpolation.
  expect(JSON.stringify(componentAccessControl(KIND))).not.toContain('{iot:thingName}');
  endpoint.shadows.setDesired(THING, SHADOW, { default_threshold: 0.9 });
  const c = await startComponent();
  try {
    await endpoint.waitForState('RUNNING');
    await waitFor(
      () => endpoint.shadows.get(THING, SHADOW)?.state.reported?.default_threshold === 0.9,
      10_000,
      'the desired threshold applied and reported',
    );
    expect(endpoint.shadows.get(THING, SHADOW)?.state.reported).toMatchObject({
      component: NAME,
      component_version: PRODUCT_VERSION,
      default_threshold: 0.9,
    });
    expect(c.context.config.current.default_threshold).toBe(0.9);
    expect(c.logs.join('')).not.toContain('cannot follow the device shadow');
  } finally {
    await c.stop();
  }
});

it('on Nucleus Lite (EI_GG_NUCLEUS=lite) refuses shadow_name in the configuration check and the log, and runs', async () => {
  await startEndpoint('lite');
  const reason = expect.stringMatching(
    /^shadow_name "edgeimpulse-settings": Greengrass Nucleus Lite has no device shadow over IPC .*shadow_name is refused/,
  );
  expect((await checkConfig({ EI_GG_NUCLEUS: 'lite' })).warnings).toEqual([reason]);

  const c = await startComponent({ EI_GG_NUCLEUS: 'lite' });
  try {
    await endpoint.waitForState('RUNNING');
    const log = c.logs.join('');
    expect(log).toContain('Greengrass Nucleus Lite has no device shadow over IPC');
    expect(log).toContain('cannot follow the device shadow; settings come from the deployment only');
    // Known from the start: no shadow operation, not even the shadow's subscription, was tried.
    const topics = endpoint.operations.map((o) => (o.request.topic ?? o.request.topicName) as string | undefined);
    expect(topics.filter((topic) => topic?.startsWith('$aws/things/'))).toEqual([]);
  } finally {
    expect(await c.stop()).toBe(0);
  }
});

it("on Nucleus Lite, the install step's check (no IPC) refuses shadow_name from EI_GG_NUCLEUS", async () => {
  let out = '';
  const args = ['--check-config', '--transport', 'stdout', '--set', `shadow_name=${SHADOW}`];
  const code = await runComponentCli(KIND, args, async () => 0, {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: () => true },
    env: { EI_GG_NUCLEUS: 'lite' },
  });
  expect(code).toBe(0);
  expect((JSON.parse(out) as { warnings: string[] }).warnings).toEqual([
    expect.stringMatching(/^shadow_name "edgeimpulse-settings": Greengrass Nucleus Lite has no device shadow/),
  ]);
});

it('on Nucleus Lite without EI_GG_NUCLEUS, learns from the unsupported answer, says why and runs', async () => {
  await startEndpoint('lite');
  expect((await checkConfig({})).warnings).toEqual([]); // nothing tells yet
  const c = await startComponent();
  try {
    await endpoint.waitForState('RUNNING');
    await waitFor(
      () => c.logs.some((line) => line.includes('cannot follow the device shadow')),
      10_000,
      'the refusal logged',
    );
    expect(c.logs.find((line) => line.includes('cannot follow the device shadow'))).toContain(
      'the Greengrass nucleus does not offer GetThingShadow: it is Greengrass Nucleus Lite',
    );
    expect(endpoint.shadows.get(THING, SHADOW)).toBeUndefined();
  } finally {
    expect(await c.stop()).toBe(0);
  }
});
