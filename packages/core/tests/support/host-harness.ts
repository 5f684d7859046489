/**
 * One in-process component for core's integration tests: the real CLI front (configuration from the testbench IPC
 * endpoint), the real host with a runner's features, and a pipeline of the test's (by default one that does
 * nothing: the test feeds results through the services the host hands every pipeline). Runs until `stop()`.
 */
import { runComponentCli, type ComponentContext } from '../../src/cli/run-component-cli';
import type { ComponentFeatures, FeatureHost } from '../../src/features/component-feature';
import { runnerFeatures, type RunnerKind } from '../../src/features/runner-features';
import type { ComponentPipeline, HostServices } from '../../src/lifecycle/component-host';
import { hostComponent } from '../../src/lifecycle/run-component';

export interface HostedComponent<K extends RunnerKind> {
  /** What the host handed the pipeline: feed results through `services.inference`, serve `services.requests`. */
  services: HostServices<K>;
  context: ComponentContext<K>;
  /** The component's log lines (stderr). */
  logs: string[];
  /** Stops it in order, as SIGTERM would; resolves with the exit code. */
  stop(): Promise<number>;
}

export interface HostedOptions<K extends RunnerKind> {
  /** The component's pipeline (default: starts and stops at once, model `m` version `v1`). */
  createPipeline?: (services: HostServices<K>) => ComponentPipeline;
  /** Its features (default: the runners'). */
  features?: (host: FeatureHost<K>) => ComponentFeatures | Promise<ComponentFeatures>;
  /** The environment (the endpoint's, plus what the test adds). */
  env: NodeJS.ProcessEnv;
}

/** A pipeline that starts and stops at once; the test drives the services. */
export const IDLE_PIPELINE: ComponentPipeline = {
  start: async () => undefined,
  stop: async () => undefined,
  modelInfo: () => ({ model_name: 'm', model_version: 'v1', model_params: {} }),
};

/** Runs the component until `stop()`; rejects (with its logs) when it exits before it has started. */
export async function startHosted<K extends RunnerKind>(
  kind: K,
  options: HostedOptions<K>,
): Promise<HostedComponent<K>> {
  const logs: string[] = [];
  const createPipeline = options.createPipeline ?? (() => IDLE_PIPELINE);
  let services: HostServices<K> | undefined;
  let release!: (reason: string) => void;
  const released = new Promise<string>((resolve) => (release = resolve));
  let announce!: (context: ComponentContext<K>) => void;
  const started = new Promise<ComponentContext<K>>((resolve) => (announce = resolve));
  const exit = runComponentCli(
    kind,
    [],
    (context) =>
      hostComponent(
        {
          kind,
          features: options.features ?? runnerFeatures,
          createPipeline: (given) => createPipeline((services = given)),
        },
        context,
        { received: released, cancel: () => undefined },
        { started: () => announce(context), stopDeadlineMs: 2000 },
      ),
    { stdout: { write: () => true }, stderr: { write: (line: string) => logs.push(line) }, env: options.env },
  );
  const context = await Promise.race([
    started,
    exit.then((code) => Promise.reject(new Error(`component exited ${code}: ${logs.join('')}`))),
  ]);
  if (!services) throw new Error('the component started without creating its pipeline');
  return { services, context, logs, stop: () => (release('test stop'), exit) };
}
