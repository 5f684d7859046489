import {
  ProblemReporter,
  retryDelay,
  withTimeout,
  type ComponentPipeline,
  type HostServices,
  type InferenceResult,
  type Logger,
  type ModelInfo,
} from '@ei-gg/core';
import type { DeviceDescription } from '../at/at-session';
import { SerialError } from '../errors';
import { SerialResultParser } from '../parser';
import { BoardLink } from './board-link';
import { isTransition, linkOf, type BoardState, type BoardStateOf, type Cycle } from './board-state';
import { discoverSerialPort } from './discover-serial-port';
import { openSerialPort } from './open-serial-port';
import { ResultRelay } from './result-relay';

export interface SerialBoardTimings {
  /** A result block is complete after this much silence (the next block may be seconds away). */
  quietGapMs: number;
  /** First reconnect delay; doubles per failed attempt up to `sleep_time_sec`. */
  reconnectBaseMs: number;
  /** Wait for the prompt when stopping the impulse at shutdown. */
  stopTimeoutMs: number;
  /** Triggered mode: longest wait for the one result of an `AT+RUNIMPULSE` cycle (the firmware waits 2 s, then samples). */
  cycleTimeoutMs: number;
}

const DEFAULT_TIMINGS: SerialBoardTimings = {
  quietGapMs: 300,
  reconnectBaseMs: 500,
  stopTimeoutMs: 1500,
  cycleTimeoutMs: 30_000,
};

/**
 * The serial-runner's pipeline: finds and opens the board, runs the AT handshake, starts the impulse and
 * relays every parsed result into the shared inference relay. Unplug/replug, a reboot (boot banner) or an
 * impulse stopped on the board (`Inferencing stopped by user`) lead to a reconnect and a new handshake with
 * back-off: the process never exits because of the board. Firmware errors are logged and reported on the
 * command output topic. In triggered mode the impulse is not left running: each request is one `AT+RUNIMPULSE`
 * cycle (start, first result, `b`), since the firmware has no single-shot command. The session is the state
 * machine of {@link BoardState}; every transition goes through `enter()`.
 */
export class SerialBoardPipeline implements ComponentPipeline {
  private readonly parser = new SerialResultParser();
  private readonly timings: SerialBoardTimings;
  private readonly log: Logger;
  private readonly problems: ProblemReporter;
  private readonly relay: ResultRelay;
  private state: BoardState = { name: 'stopped' };
  /** Called at the next transition (a triggered request waits for `ready`). */
  private waiters: Array<() => void> = [];
  /** What the last handshake said, for `get_model_info`; kept while reconnecting. */
  private board: { device: DeviceDescription; path: string } | undefined;
  /** Triggered mode: the loop serving requests, from start to stop. */
  private serving: { stop: AbortController; done: Promise<void> } | undefined;

  constructor(
    private readonly services: HostServices<'serial-runner'>,
    timings: Partial<SerialBoardTimings> = {},
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...timings };
    this.log = services.context.logger.child({ part: 'board' });
    this.problems = new ProblemReporter({
      commands: services.commands,
      logger: this.log,
      source: 'serial-runner',
      subject: 'board',
    });
    this.relay = new ResultRelay((result) => services.inference.process(result), this.log, {
      onDropped: (limit) =>
        services.publisher.recordDropped(
          services.context.topics.inferenceOutput,
          `the broker is away and ${limit} board results wait for it`,
        ),
    });
    this.parser.on('result', (result) => {
      const state = this.state;
      if (state.name === 'cycling') state.cycle.resolve(result);
      else if (state.name === 'running') this.relay.push(result);
    });
    this.parser.on('error', (error) => void this.problems.report(`board: ${error.message}`));
    this.parser.on('reboot', ({ line, discardedResult }) =>
      this.lost(
        `the board rebooted ("${line}")${discardedResult ? ' while printing a result, which was dropped' : ''}`,
      ),
    );
    // Not a bare prompt: Syntiant firmware prints `> ` after starting and keeps emitting matches.
    this.parser.on('stopped', () => this.state.name === 'running' && this.lost('the impulse was stopped on the board'));
  }

  /** Tries to connect once; on failure keeps retrying in the background rather than failing the component. */
  async start(): Promise<void> {
    if (this.state.name !== 'stopped') throw new Error(`the board pipeline cannot start while ${this.state.name}`);
    if (this.triggered) {
      const stop = new AbortController();
      this.serving = { stop, done: this.serveRequests(stop.signal) };
    }
    await this.connect(0);
  }

  /** Stops the impulse (when running), closes the port, and waits for the results and the request in flight. */
  async stop(): Promise<void> {
    const previous = this.state;
    if (previous.name !== 'stopped' && previous.name !== 'stopping') {
      this.serving?.stop.abort();
      const link = linkOf(previous);
      this.enter({ name: 'stopping', link });
      if (previous.name === 'running') {
        await withTimeout(previous.link.session.stopImpulse(), this.timings.stopTimeoutMs).catch(() => undefined);
      }
      this.enter({ name: 'stopped' });
      await link?.release();
    }
    await Promise.all([this.relay.drained(), this.serving?.done]);
    this.relay.close();
    this.problems.close();
  }

  modelInfo(): ModelInfo | undefined {
    if (!this.board) return undefined;
    const { device, path } = this.board;
    const { config, info } = device;
    return {
      model_name: info?.modelName ?? 'unknown',
      model_version: info?.deployVersion !== undefined ? `v${info.deployVersion}` : 'unknown',
      model_params: {
        at_version: config.atVersion,
        device_type: config.deviceType,
        sensor: config.sensor,
        model_type: config.modelType,
        ...(info?.modelId !== undefined ? { model_id: info.modelId } : {}),
        serial_port: path,
      },
    };
  }

  /**
   * The one place the state changes: checks the transition, logs it, and leaves the old state behind (its
   * cycle fails, its retry timer stops, its link is released unless the new state keeps it).
   */
  private enter(next: BoardState): void {
    const previous = this.state;
    if (!isTransition(previous.name, next.name)) {
      throw new Error(`board session: no transition from ${previous.name} to ${next.name}`);
    }
    this.state = next;
    this.log.debug('board state changed', { from: previous.name, to: next.name });
    if (previous.name === 'disconnected') clearTimeout(previous.retry);
    if (previous.name === 'cycling') {
      // A no-op after the result came; otherwise the request waiting for it fails with the reason.
      const reason = next.name === 'stopping' ? 'the pipeline stopped' : 'the board was lost during the cycle';
      previous.cycle.reject(new Error(reason));
    }
    const link = linkOf(previous);
    if (link && link !== linkOf(next)) void link.release();
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** One connection attempt: port, handshake, then running or ready; on failure, the next after back-off. */
  private async connect(attempt: number): Promise<void> {
    const state: BoardStateOf<'handshaking'> = { name: 'handshaking', attempt };
    this.enter(state);
    const config = this.services.config.current;
    try {
      const path = config.serial_port ?? discoverSerialPort();
      if (!path) {
        throw new SerialError(
          'SERIAL_PORT_MISSING',
          'no serial port found (looked for /dev/ttyACM*, /dev/ttyUSB*, /dev/serial/by-id): plug the board in or set serial_port',
        );
      }
      const port = await openSerialPort(path, config.baud_rate);
      const link = new BoardLink(path, port, {
        parser: this.parser,
        chunkedWrites: config.serial_chunked_writes,
        quietGapMs: this.timings.quietGapMs,
        onLost: (reason) => this.lost(reason),
      });
      if (this.state !== state) return await link.release(); // stopped while the port opened
      state.link = link;
      this.parser.reset();
      const device = await link.session.handshake();
      if (!this.triggered && this.state === state) await link.session.startImpulse(config.serial_run_continuous);
      // Whoever left the state (stop, a lost board) released the link.
      if (this.state !== state) return;
      this.board = { device, path };
      this.enter(this.triggered ? { name: 'ready', link } : { name: 'running', link });
      this.problems.clear();
      this.log.info(
        this.triggered ? 'board connected; waiting for inference requests' : 'board connected; impulse running',
        {
          port: path,
          at_version: device.config.atVersion,
          model: device.info?.modelName,
        },
      );
    } catch (error) {
      if (this.state !== state) return;
      this.reconnectLater(attempt);
      await this.problems.report((error as Error).message, error);
    }
  }

  private get triggered(): boolean {
    return this.services.config.current.inference_mode === 'triggered';
  }

  private get stopping(): boolean {
    return this.state.name === 'stopping' || this.state.name === 'stopped';
  }

  /** Triggered mode: serves requests one at a time, each as one impulse cycle once the board is ready. */
  private async serveRequests(signal: AbortSignal): Promise<void> {
    const { requests, inference } = this.services;
    for (;;) {
      const request = await requests.next(signal);
      if (!request) return;
      if (!(await this.whenReady())) return requests.fail(request, 'STOPPED', 'the pipeline stopped');
      try {
        const result = await this.runCycle();
        await inference.process(result, undefined, request);
      } catch (error) {
        requests.fail(
          request,
          this.stopping ? 'STOPPED' : 'INFERENCE_FAILED',
          `inference on the board failed: ${(error as Error).message}`,
        );
      }
    }
  }

  /** True once the board is ready, false once the pipeline stops. */
  private async whenReady(): Promise<boolean> {
    for (;;) {
      if (this.state.name === 'ready') return true;
      if (this.stopping) return false;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** `AT+RUNIMPULSE`, the first result, then `b` and the prompt: the board is idle (ready) again afterwards. */
  private async runCycle(): Promise<InferenceResult> {
    const ready = this.state;
    if (ready.name !== 'ready') throw new Error(`the board is ${ready.name}, not ready`); // lost since it was
    const { link } = ready;
    let cycle!: Cycle;
    const result = new Promise<InferenceResult>((resolve, reject) => (cycle = { resolve, reject }));
    result.catch(() => undefined); // leaving the cycle rejects it, also when nobody waits for it any more
    const cycling: BoardStateOf<'cycling'> = { name: 'cycling', link, cycle };
    this.enter(cycling);
    try {
      await link.session.startImpulse(false);
      return await withTimeout(result, this.timings.cycleTimeoutMs);
    } finally {
      if (this.state === cycling) {
        try {
          await withTimeout(link.session.stopImpulse(), this.timings.stopTimeoutMs);
          if (this.state === cycling) this.enter({ name: 'ready', link });
        } catch (error) {
          this.lost(`the impulse did not stop: ${(error as Error).message}`);
        }
      }
    }
  }

  /** The board went away or restarted: leave the session and connect again with back-off. */
  private lost(reason: string): void {
    const state = this.state;
    if (
      state.name !== 'handshaking' &&
      state.name !== 'running' &&
      state.name !== 'ready' &&
      state.name !== 'cycling'
    ) {
      return; // not connected: stopping, or already waiting to reconnect
    }
    // Told to the cloud too (once per distinct reason until the board works again): a board that reboots by
    // itself is a field problem (power, watchdog) the operator should hear of.
    void this.problems.report(`lost the board: ${reason}; reconnecting`);
    this.reconnectLater(state.name === 'handshaking' ? state.attempt : 0);
  }

  /** Leaves the board behind and connects again after the back-off for `attempt` failed attempts. */
  private reconnectLater(attempt: number): void {
    const capMs = this.services.config.current.sleep_time_sec * 1000;
    const delayMs = retryDelay(attempt, this.timings.reconnectBaseMs, capMs);
    const left = linkOf(this.state);
    const state: BoardStateOf<'disconnected'> = {
      name: 'disconnected',
      attempt: attempt + 1,
      retry: setTimeout(() => void this.retry(state, left), delayMs),
    };
    this.enter(state);
  }

  private async retry(state: BoardStateOf<'disconnected'>, left: BoardLink | undefined): Promise<void> {
    await left?.release(); // the port closed first: the next attempt may open the same device
    if (this.state === state) await this.connect(state.attempt);
  }
}
