/**
 * A deployment that changes `eiparams` while the runner runs under Greengrass (the IPC endpoint, Studio's
 * stand-in): the pipeline restarts with the new flags, and their warnings are logged as at a start.
 */
import type { ConfigTree } from '@ei-gg/testbench';
import { ModelDownloadBench } from '../support/model-download-bench';

const API_KEY = 'ei_dep10y5ecret0123456789abcdef';
let bench: ModelDownloadBench;

beforeEach(async () => {
  bench = await ModelDownloadBench.start('lr-eip', API_KEY, {
    secrets: { EI_API_KEY: JSON.stringify({ ei_api_key: API_KEY }) },
  });
});

afterEach(async () => {
  await bench?.close();
});

it('logs the flag warnings of the new eiparams and restarts with them', async () => {
  const { endpoint } = bench;
  const runner = bench.startRunner();
  await bench.inputEnded(45_000);
  expect(runner.logs()).not.toContain('eiparams:');
  const parameters = (endpoint.configuration as { Parameters: ConfigTree }).Parameters;
  const since = endpoint.published.length;
  endpoint.updateConfiguration({ Parameters: { ...parameters, eiparams: '--greengrass --monitor --bogus' } });
  // The pipeline restarts (eiparams is not a live key) and its input ends again. The bounds are for a hung
  // test: under a full loaded run a restart took longer than 15 s.
  await bench.inputEnded(45_000, since);
  const logs = runner.logs();
  expect(logs.match(/eiparams: --monitor is not honoured/g)).toHaveLength(1);
  expect(logs.match(/eiparams: --bogus is not a flag of edge-impulse-linux-runner; ignored/g)).toHaveLength(1);
  await bench.terminateKeepingKeySecret();
});
