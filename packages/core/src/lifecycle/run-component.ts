import { runComponentCli, EXIT_OK, type CliIo, type ComponentContext } from '../cli/run-component-cli';
import type { CacheControl } from '../commands/command-router';
import type { ComponentKind } from '../component-kind';
import type { InferenceExtras } from '../pipeline/inference-pipeline';
import { createTransport } from '../transport/create-transport';
import { ComponentHost, type ComponentPipeline, type HostServices } from './component-host';

/** What a component brings; everything else (flags, config, transport, commands, lifecycle) is shared. */
export interface ComponentDefinition<K extends ComponentKind> {
  kind: K;
  createPipeline(services: HostServices<K>): ComponentPipeline;
  createCaches?(context: ComponentContext<K>): Promise<CacheControl | undefined>;
  /** Keys besides the filter, backoff, QoS and metrics ones that apply without a pipeline restart. */
  liveKeys?: readonly string[];
  /** Payload s3 fields, image publishing and caching of published inferences; called after createCaches. */
  inferenceOptions?(context: ComponentContext<K>): InferenceExtras;
}

/** Greengrass allows 5 s by default between SIGTERM and SIGKILL: leave room to close connections. */
const STOP_DEADLINE_MS = 3000;

/**
 * A component's whole life: the CLI front, then host it until SIGTERM or SIGINT, then stop in order.
 * Resolves with the exit code; a failed start has reported ERRORED to Greengrass and returns non-zero.
 */
export function runComponent<K extends ComponentKind>(
  definition: ComponentDefinition<K>,
  argv: string[] = process.argv.slice(2),
  io?: CliIo,
): Promise<number> {
  return runComponentCli(definition.kind, argv, (context) => host(definition, context), io);
}

async function host<K extends ComponentKind>(
  definition: ComponentDefinition<K>,
  context: ComponentContext<K>,
): Promise<number> {
  const runtime = context.greengrass?.runtime;
  const caches = await definition.createCaches?.(context);
  const componentHost = new ComponentHost({
    context,
    transport: createTransport(context),
    createPipeline: (services) => definition.createPipeline(services),
    caches,
    liveKeys: definition.liveKeys,
    inferenceOptions: definition.inferenceOptions?.(context),
    ...(runtime ? { reportState: (state: 'RUNNING' | 'ERRORED') => runtime.updateState(state) } : {}),
  });
  // Listening from before the start: a SIGTERM during it (the nucleus stopping a slow start, or a pipeline whose
  // input ends at once) then stops everything in order instead of killing the process and orphaning its children.
  const signals = nextSignal();
  try {
    await componentHost.start();
  } catch (err) {
    signals.cancel();
    throw err;
  }
  const signal = await signals.received;
  context.logger.info('stopping', { signal });
  await componentHost.stop(STOP_DEADLINE_MS);
  return EXIT_OK;
}

function nextSignal(): { received: Promise<NodeJS.Signals>; cancel(): void } {
  let onSignal!: (signal: NodeJS.Signals) => void;
  const cancel = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  const received = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      cancel();
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  return { received, cancel };
}
