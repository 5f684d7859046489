import {
  runComponentCli,
  EXIT_OK,
  type CliIo,
  type ComponentCliHooks,
  type ComponentContext,
} from '../cli/run-component-cli';
import type { ComponentKind } from '../component-kind';
import { createTransport } from '../transport/create-transport';
import { ComponentHost, type ComponentParts } from './component-host';

/**
 * What a component brings; everything else (flags, config, transport, commands, lifecycle) is shared.
 *
 * @example
 * ```ts
 * const definition: ComponentDefinition<'serial-runner'> = {
 *   kind: 'serial-runner',
 *   features: runnerFeatures, // or (host) => ({ filter: thresholdFilterFeature(), backoff: backoffFeature(() => 1) })
 *   createPipeline: (services) => new SerialBoardPipeline(services),
 * };
 * ```
 */
export interface ComponentDefinition<K extends ComponentKind> extends ComponentParts<K>, ComponentCliHooks<K> {
  kind: K;
}

/** Greengrass allows 5 s by default between SIGTERM and SIGKILL: leave room to close connections. */
const STOP_DEADLINE_MS = 3000;

/**
 * A component's whole life: the CLI front, then host it until SIGTERM or SIGINT or until it asks to stop (its input
 * ended), then stop in order. Resolves with the exit code (the one the component asked for, else 0); a failed start
 * has reported ERRORED to Greengrass and returns non-zero.
 *
 * @example
 * ```ts
 * // main.ts of a component: exit with its code once its output is flushed
 * void runComponent(serialRunnerComponent()).then((code) => process.stdout.write('', () => process.exit(code)));
 * ```
 */
export function runComponent<K extends ComponentKind>(
  definition: ComponentDefinition<K>,
  argv: string[] = process.argv.slice(2),
  io?: CliIo,
): Promise<number> {
  return runComponentCli(definition.kind, argv, (context) => hostComponent(definition, context, nextSignal()), io, {
    recover: definition.recover,
    interpret: definition.interpret,
  });
}

/** Something outside the component that ends it (a signal; a test's stop), and its cancellation if it never came. */
export interface StopTrigger {
  received: Promise<string>;
  cancel(): void;
}

export interface HostingOptions {
  /** Called once everything has started (RUNNING reported). */
  started?: () => void;
  stopDeadlineMs?: number;
}

/**
 * Hosts a component with a validated context until `until` fires or the component requests its stop, then stops
 * it in order. Resolves with the exit code. (What `runComponent` runs after the CLI front; tests run it in-process.)
 *
 * @example
 * ```ts
 * let stop!: (reason: string) => void;
 * const until = { received: new Promise<string>((resolve) => (stop = resolve)), cancel: () => undefined };
 * const exitCode = hostComponent(definition, context, until, { started: () => stop('test done') });
 * ```
 */
export async function hostComponent<K extends ComponentKind>(
  definition: ComponentDefinition<K>,
  context: ComponentContext<K>,
  until: StopTrigger,
  { started, stopDeadlineMs = STOP_DEADLINE_MS }: HostingOptions = {},
): Promise<number> {
  const runtime = context.greengrass?.runtime;
  // `until` listens from before the start: a SIGTERM during it (the nucleus stopping a slow start) then stops
  // everything in order instead of killing the process and orphaning its children.
  let host: ComponentHost<K>;
  try {
    host = await ComponentHost.create(
      {
        context,
        transport: createTransport(context),
        ...(runtime ? { reportState: (state: 'RUNNING' | 'ERRORED') => runtime.updateState(state) } : {}),
      },
      definition,
    );
    await host.start();
    started?.();
  } catch (err) {
    until.cancel();
    throw err;
  }
  const stop = await Promise.race([
    until.received.then((signal) => ({ reason: signal, exitCode: EXIT_OK })),
    host.stopRequested,
  ]);
  until.cancel();
  context.logger.info('stopping', { reason: stop.reason, exit_code: stop.exitCode });
  await host.stop(stopDeadlineMs);
  return stop.exitCode;
}

function nextSignal(): StopTrigger {
  let onSignal!: (signal: NodeJS.Signals) => void;
  const cancel = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  const received = new Promise<string>((resolve) => {
    onSignal = (signal) => {
      cancel();
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  return { received, cancel };
}
