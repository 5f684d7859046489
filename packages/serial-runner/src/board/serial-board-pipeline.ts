import {
  backoffDelay,
  withTimeout,
  type ComponentPipeline,
  type HostServices,
  type InferenceResult,
  type ModelInfo,
} from '@ei-gg/core';
import type { SerialPort } from 'serialport';
import { fromSerialPort } from '../at/at-port';
import { AtSession, type DeviceDescription } from '../at/at-session';
import { CLI_CHUNKING } from '../at/command-writer';
import { SerialError } from '../errors';
import { SerialResultParser } from '../parser';
import { discoverSerialPort } from './discover-serial-port';
import { openSerialPort } from './open-serial-port';

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

/** The result one triggered cycle waits for. */
interface Cycle {
  resolve(result: InferenceResult): void;
  reject(error: Error): void;
}

/**
 * The serial-runner's pipeline: finds and opens the board, runs the AT handshake, starts the impulse and
 * relays every parsed result into the shared inference pipeline. Unplug/replug, a reboot (boot banner) or an
 * impulse stopped on the board (`Inferencing stopped by user`) lead to a reconnect and a new handshake with
 * back-off: the process never exits because of the board. Firmware errors are logged and reported on the
 * command output topic. In triggered mode the impulse is not left running: each request is one `AT+RUNIMPULSE`
 * cycle (start, first result, `b`), since the firmware has no single-shot command.
 */
export class SerialBoardPipeline implements ComponentPipeline {
  private readonly parser = new SerialResultParser();
  private readonly timings: SerialBoardTimings;
  private port: SerialPort | undefined;
  private session: AtSession | undefined;
  private device: DeviceDescription | undefined;
  private portPath: string | undefined;
  private running = false;
  private stopping = false;
  private attempt = 0;
  private lastReportedError: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private quietTimer: NodeJS.Timeout | undefined;
  private processing: Promise<unknown> = Promise.resolve();
  private cycle: Cycle | undefined;
  /** Handshake done, board idle or running: a triggered cycle may start. */
  private ready = false;
  private connected: (() => void) | undefined;
  private serving: Promise<void> | undefined;
  private stopped = new AbortController();

  constructor(
    private readonly services: HostServices<'serial-runner'>,
    timings: Partial<SerialBoardTimings> = {},
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...timings };
    this.parser.on('result', (result) => {
      if (this.cycle) return this.cycle.resolve(result);
      if (!this.running) return;
      this.processing = this.processing.then(() => this.services.inference.process(result));
    });
    this.parser.on(
      'error',
      (error) => void this.report(`board: ${error.message}`, { kind: error.kind, line: error.line }),
    );
    this.parser.on('reboot', ({ line }) => this.lost(`the board rebooted ("${line}")`));
    // Not a bare prompt: Syntiant firmware prints `> ` after starting and keeps emitting matches.
    this.parser.on('stopped', () => this.running && this.lost('the impulse was stopped on the board'));
  }

  private get log() {
    return this.services.context.logger.child({ part: 'board' });
  }

  /** Tries to connect once; on failure keeps retrying in the background rather than failing the component. */
  async start(): Promise<void> {
    this.stopping = false;
    this.stopped = new AbortController();
    if (this.triggered) this.serving = this.serveRequests();
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    this.cycle?.reject(new Error('the pipeline stopped'));
    clearTimeout(this.retryTimer);
    clearTimeout(this.quietTimer);
    if (this.running && this.session) {
      this.running = false;
      await withTimeout(this.session.stopImpulse(), this.timings.stopTimeoutMs).catch(() => undefined);
    }
    await this.disconnect();
    this.connected?.();
    await Promise.all([this.processing, this.serving]);
  }

  modelInfo(): ModelInfo | undefined {
    if (!this.device) return undefined;
    const { config, info } = this.device;
    return {
      model_name: info?.modelName ?? 'unknown',
      model_version: info?.deployVersion !== undefined ? `v${info.deployVersion}` : 'unknown',
      model_params: {
        at_version: config.atVersion,
        device_type: config.deviceType,
        sensor: config.sensor,
        model_type: config.modelType,
        ...(info?.modelId !== undefined ? { model_id: info.modelId } : {}),
        serial_port: this.portPath,
      },
    };
  }

  private async connect(): Promise<void> {
    const config = this.services.config.current;
    try {
      const path = config.serial_port ?? discoverSerialPort();
      if (!path) {
        throw new SerialError(
          'SERIAL_PORT_MISSING',
          'no serial port found (looked for /dev/ttyACM*, /dev/ttyUSB*, /dev/serial/by-id): plug the board in or set serial_port',
        );
      }
      this.portPath = path;
      const port = await openSerialPort(path, config.baud_rate);
      this.port = port;
      port.on('data', () => this.armQuietGap());
      port.on('close', () => this.lost(`serial port ${path} closed (unplugged?)`));
      port.on('error', (error: Error) => this.lost(`serial port ${path} failed: ${error.message}`));
      this.parser.reset();
      this.session = new AtSession(fromSerialPort(port), {
        parser: this.parser,
        write: config.serial_chunked_writes ? CLI_CHUNKING : {},
      });
      this.device = await this.session.handshake();
      if (this.stopping) return;
      if (!this.triggered) {
        await this.session.startImpulse(config.serial_run_continuous);
        this.running = true;
      }
      this.ready = true;
      this.attempt = 0;
      this.lastReportedError = undefined;
      this.log.info(
        this.triggered ? 'board connected; waiting for inference requests' : 'board connected; impulse running',
        {
          port: path,
          at_version: this.device.config.atVersion,
          model: this.device.info?.modelName,
        },
      );
      this.connected?.();
    } catch (error) {
      await this.disconnect();
      if (this.stopping) return;
      await this.report((error as Error).message, { port: this.portPath });
      this.scheduleReconnect();
    }
  }

  private get triggered(): boolean {
    return this.services.config.current.inference_mode === 'triggered';
  }

  /** Triggered mode: serves requests one at a time, each as one impulse cycle once the board is connected. */
  private async serveRequests(): Promise<void> {
    const { requests } = this.services;
    for (;;) {
      const request = await requests.next(this.stopped.signal);
      if (!request) return;
      while (!this.ready && !this.stopping) await new Promise<void>((resolve) => (this.connected = resolve));
      if (this.stopping) return requests.fail(request, 'STOPPED', 'the pipeline stopped');
      try {
        const result = await this.runCycle(this.session!);
        await this.services.inference.process(result, undefined, request);
      } catch (error) {
        requests.fail(
          request,
          this.stopping ? 'STOPPED' : 'INFERENCE_FAILED',
          `inference on the board failed: ${(error as Error).message}`,
        );
      }
    }
  }

  /** `AT+RUNIMPULSE`, the first result, then `b` and the prompt: the board is idle again afterwards. */
  private async runCycle(session: AtSession): Promise<InferenceResult> {
    const result = new Promise<InferenceResult>((resolve, reject) => (this.cycle = { resolve, reject }));
    try {
      await session.startImpulse(false);
      return await withTimeout(result, this.timings.cycleTimeoutMs);
    } finally {
      this.cycle = undefined;
      if (this.session === session)
        await withTimeout(session.stopImpulse(), this.timings.stopTimeoutMs).catch((error) =>
          this.lost(`the impulse did not stop: ${(error as Error).message}`),
        );
    }
  }

  /** The board went away or restarted: drop the session and connect again with back-off. */
  private lost(reason: string): void {
    if (this.stopping || this.retryTimer) return;
    this.running = false;
    this.log.warn('lost the board; reconnecting', { reason });
    void this.disconnect().then(() => this.scheduleReconnect());
  }

  private scheduleReconnect(): void {
    if (this.stopping || this.retryTimer) return;
    const capMs = this.services.config.current.sleep_time_sec * 1000;
    const delay = backoffDelay(this.attempt++, this.timings.reconnectBaseMs, capMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
  }

  private async disconnect(): Promise<void> {
    this.running = false;
    this.ready = false;
    this.cycle?.reject(new Error('the board was lost during the cycle'));
    clearTimeout(this.quietTimer);
    this.session?.dispose();
    this.session = undefined;
    const port = this.port;
    this.port = undefined;
    if (!port) return;
    port.removeAllListeners('close');
    port.removeAllListeners('error');
    port.on('error', () => undefined); // late errors of a port being discarded
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private armQuietGap(): void {
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.parser.flush(), this.timings.quietGapMs);
  }

  /** Logs a problem and tells the cloud once per distinct message (a board that stays unplugged is one report). */
  private async report(message: string, context: Record<string, unknown>): Promise<void> {
    this.log.error(message, context);
    if (message === this.lastReportedError) return;
    this.lastReportedError = message;
    await this.services.commands.reply({ result: { error: message, source: 'serial-runner' } });
  }
}
