import { createHash } from 'node:crypto';
import type { DeviceTopics } from '../identity/topics';
import type { Logger } from '../logging/logger';
import type { Publisher } from '../publisher/publisher';
import type { IncomingMessage, Transport, Unsubscribe } from '../transport/transport';
import type { CommandReply } from './command-replies';
import type { CommandRouter } from './command-router';

const REMEMBERED_IDS = 512;

/**
 * Commands pushed on `command/input` (a subscription, never polling) run one at a time through the router;
 * each answer goes to `command/output`. Cloud tools written for the original components publish commands
 * retained. A broker forwards such a command to a live subscriber without the retain flag, so after every
 * command the retained slot is cleared with an empty retained message (a no-op when nothing was retained);
 * and a retained delivery (at subscription, e.g. after a reconnect that raced the clear) of a command that
 * already ran is not run again. A command `id` already executed is not executed again either.
 */
export class CommandIntake {
  private unsubscribe: Unsubscribe | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly seenIds = new Set<string>();
  private readonly ranPayloads = new Set<string>();

  constructor(
    private readonly deps: {
      transport: Transport;
      publisher: Publisher;
      router: CommandRouter;
      topics: DeviceTopics;
      logger: Logger;
      /** Sees every answer and notice published (e.g. to keep the last error for the device shadow). */
      onReply?: (reply: CommandReply) => void;
    },
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.deps.transport.subscribe(this.deps.topics.commandInput, 1, (message) => {
      this.queue = this.queue.then(() => this.receive(message));
    });
  }

  /** Publishes an answer or notice on `command/output` (also used for `started`). */
  async reply(reply: CommandReply): Promise<void> {
    this.deps.onReply?.(reply);
    await this.deps.publisher.whenWritable();
    await this.deps.publisher.publish(this.deps.topics.commandOutput, reply as unknown as Record<string, unknown>);
  }

  /** Resolves once every command received so far has been answered. */
  idle(): Promise<void> {
    return this.queue;
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.queue;
  }

  private async receive(message: IncomingMessage): Promise<void> {
    if (message.payload.length === 0) return; // our own clear of a retained command, or an empty publish
    const log = this.deps.logger;
    const digest = createHash('sha256').update(message.payload).digest('hex');
    if (message.retain && this.ranPayloads.has(digest)) {
      log.info('retained command already executed; not running it again');
      await this.clearRetained();
      return;
    }
    remember(this.ranPayloads, digest);
    const id = commandId(message.payload);
    if (id !== undefined && this.seenIds.has(id)) {
      log.info('command id already executed; ignored', { id });
      await this.clearRetained();
      return;
    }
    if (id !== undefined) remember(this.seenIds, id);
    const outcome = await this.deps.router.handle(message.payload);
    log.info('command handled', { reply: outcome.reply.result });
    await this.clearRetained();
    await this.reply(outcome.reply);
    if (outcome.afterReply) {
      try {
        await outcome.afterReply();
      } catch (err) {
        log.error('command action failed after its reply', { err });
        await this.reply({ result: { error: `action failed: ${(err as Error).message}` } });
      }
    }
  }

  private async clearRetained(): Promise<void> {
    const { transport, topics, logger } = this.deps;
    await transport.publish(topics.commandInput, Buffer.alloc(0), { qos: 1, retain: true }).catch((err) => {
      logger.warn(
        'could not clear the retained command slot; a retained command will not run twice, but may stay on the broker',
        { err },
      );
    });
  }
}

function commandId(payload: Buffer): string | undefined {
  try {
    const id = (JSON.parse(payload.toString()) as { id?: unknown })?.id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined; // the router reports malformed JSON
  }
}

function remember(set: Set<string>, value: string): void {
  set.add(value);
  if (set.size > REMEMBERED_IDS) set.delete(set.values().next().value as string);
}
