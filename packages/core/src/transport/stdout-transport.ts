import { once } from 'events';
import { createInterface, type Interface } from 'readline';
import type { Readable, Writable } from 'stream';
import { TransportError } from '../errors';
import type { Logger } from '../logging/logger';
import { ConnectionStateTracker } from './connection-state-tracker';
import { SubscriptionRegistry } from './subscription-registry';
import type { ConnectionState, MessageHandler, PublishOptions, Qos, Transport, Unsubscribe } from './transport';

export interface StdoutTransportOptions {
  /** Topic each input line is delivered on (the device's command input topic). */
  commandTopic: string;
  logger: Logger;
  /** Where published messages go, one JSON line each. Default: process.stdout. */
  output?: Writable;
  /** Where command lines come from. Default: process.stdin. */
  input?: Readable;
}

/**
 * Local runs without a broker: every publish is one JSON line `{"topic":...,"payload":...}` on stdout, and every
 * non-empty line on stdin is a message on the command topic. Logs never go here (the logger writes to stderr).
 */
export class StdoutTransport implements Transport {
  readonly name = 'stdout' as const;
  private readonly output: Writable;
  private readonly input: Readable;
  private readonly logger: Logger;
  private readonly tracker: ConnectionStateTracker;
  private readonly subscriptions: SubscriptionRegistry;
  private lines: Interface | undefined;
  /** Writes are chained so that a write waiting for 'drain' holds back the ones after it. */
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(private readonly options: StdoutTransportOptions) {
    this.output = options.output ?? process.stdout;
    this.input = options.input ?? process.stdin;
    this.logger = options.logger.child({ transport: 'stdout' });
    this.tracker = new ConnectionStateTracker('disconnected', this.logger);
    this.subscriptions = new SubscriptionRegistry(this.logger);
  }

  get state(): ConnectionState {
    return this.tracker.state;
  }

  async connect(): Promise<void> {
    this.assertOpen();
    if (this.lines) return;
    this.lines = createInterface({ input: this.input, crlfDelay: Infinity });
    this.lines.on('line', (line) => this.onLine(line));
    // End of input (stdin closed, `< file` consumed) stops commands, not publishing.
    this.lines.on('close', () => this.logger.debug('command input ended'));
    this.tracker.set('connected');
  }

  async publish(topic: string, payload: Buffer | string, _options: PublishOptions): Promise<void> {
    this.assertOpen();
    const line = JSON.stringify({ topic, payload: parseIfJson(payload.toString()) }) + '\n';
    const write = this.lastWrite.then(() => this.write(line));
    this.lastWrite = write.catch(() => undefined);
    try {
      await write;
    } catch (cause) {
      throw new TransportError(`writing a message for ${topic} to stdout failed`, {
        context: { transport: this.name, topic },
        cause,
      });
    }
  }

  async subscribe(topicFilter: string, qos: Qos, onMessage: MessageHandler): Promise<Unsubscribe> {
    this.assertOpen();
    const subscription = this.subscriptions.add(topicFilter, qos, onMessage);
    return async () => {
      this.subscriptions.remove(subscription);
    };
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    return this.tracker.onChange(listener);
  }

  async close(): Promise<void> {
    // Closing the line reader pauses the input, so stdin no longer holds the process open.
    this.lines?.close();
    this.lines = undefined;
    this.tracker.set('closed');
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    this.subscriptions.dispatch({ topic: this.options.commandTopic, payload: Buffer.from(line), retain: false });
  }

  /** Resolves once the line is written, or once the stream drained when it signalled back-pressure. */
  private async write(line: string): Promise<void> {
    if (this.output.write(line)) return;
    await once(this.output, 'drain');
  }

  private assertOpen(): void {
    if (this.tracker.state === 'closed') {
      throw new TransportError('the stdout transport is closed', { context: { transport: this.name } });
    }
  }
}

function parseIfJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
