import { SerialError } from '../errors';
import { SerialResultParser } from '../parser';
import type { AtPort } from './at-port';
import { checkAtVersion } from './at-version';
import { WriteOptions, writeRaw } from './command-writer';
import { AtConfig, parseAtConfig } from './parse-at-config';
import { AtInfo, parseAtInfo } from './parse-at-info';

export interface AtSessionOptions {
  /** The parser the port's data is fed to; pass one to listen to results from the start. */
  parser?: SerialResultParser;
  /** Wait for the `> ` prompt after `b\r` and after `b` (default 3000 ms). */
  promptTimeoutMs?: number;
  /** Wait for a command's complete answer (default 5000 ms). */
  commandTimeoutMs?: number;
  write?: WriteOptions;
}

export interface DeviceDescription {
  config: AtConfig;
  /** Undefined when the firmware has no `AT+INFO` (before AT 1.8). */
  info?: AtInfo;
}

/** Answer to one command: its lines (echo excluded) and whether the AT server rejected it. */
export interface CommandAnswer {
  lines: string[];
  rejected: boolean;
}

/**
 * The AT conversation with Edge Impulse firmware over any {@link AtPort}. It feeds every byte from the port
 * to {@link parser}, so results, errors and reboots are events there whatever the session is doing.
 * Commands run one at a time; each waits for its echo, then collects lines until the next prompt, so a stray
 * prompt still in flight from earlier input is not taken for the end of the answer.
 */
export class AtSession {
  readonly parser: SerialResultParser;
  private readonly promptTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  private readonly writeOptions: WriteOptions;
  private readonly onData = (chunk: Buffer | string): void => this.parser.push(chunk);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly port: AtPort,
    options: AtSessionOptions = {},
  ) {
    this.parser = options.parser ?? new SerialResultParser();
    this.promptTimeoutMs = options.promptTimeoutMs ?? 3000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 5000;
    this.writeOptions = options.write ?? {};
    port.on('data', this.onData);
  }

  /** Stops the port feeding the parser. */
  dispose(): void {
    this.port.off('data', this.onData);
  }

  /**
   * Stops anything running (`b\r`), waits for the prompt, reads `AT+CONFIG?` and refuses unknown AT versions,
   * then reads `AT+INFO` when the firmware has it.
   */
  async handshake(): Promise<DeviceDescription> {
    await this.serialized(() => this.sendAndAwaitPrompt('b\r', 'b\\r'));
    const configAnswer = await this.command('AT+CONFIG?');
    const config = parseAtConfig(configAnswer.lines.join('\n'));
    if (!config.atVersion) {
      throw new SerialError('SERIAL_BAD_CONFIG', 'AT+CONFIG? answered without an "AT Version" line', {
        context: { answer: configAnswer.lines.slice(0, 20) },
      });
    }
    checkAtVersion(config.atVersion);
    const infoAnswer = await this.command('AT+INFO');
    return infoAnswer.rejected ? { config } : { config, info: parseAtInfo(infoAnswer.lines.join('\n')) };
  }

  /** `AT+RUNIMPULSE`, or `AT+RUNIMPULSECONT` (continuous audio). Results then arrive as parser events. */
  startImpulse(continuous: boolean): Promise<void> {
    const command = continuous ? 'AT+RUNIMPULSECONT' : 'AT+RUNIMPULSE';
    return this.serialized(() => this.write(command + '\r', command));
  }

  /** Sends `b` (the only input a running impulse reads) and waits for the prompt that follows. */
  stopImpulse(): Promise<void> {
    return this.serialized(() => this.sendAndAwaitPrompt('b', 'b'));
  }

  /** Runs one AT command and collects its answer up to the next prompt. */
  command(command: string, timeoutMs = this.commandTimeoutMs): Promise<CommandAnswer> {
    return this.serialized(
      () =>
        new Promise<CommandAnswer>((resolve, reject) => {
          const lines: string[] = [];
          let echoed = false;
          let rejected = false;
          const unsubscribe = this.listen({
            line: (line) => {
              if (echoed) lines.push(line);
              else if (line.endsWith(command)) echoed = true;
            },
            invalidCommand: () => {
              if (echoed) rejected = true;
            },
            prompt: () => {
              if (!echoed) return;
              done();
              resolve({ lines, rejected });
            },
            reboot: () => {
              done();
              reject(
                new SerialError('SERIAL_REBOOTED', `the board rebooted while answering ${command}`, {
                  context: { command },
                }),
              );
            },
          });
          const timer = setTimeout(() => {
            done();
            const what = echoed ? 'no prompt after its answer' : 'no echo';
            reject(
              new SerialError('SERIAL_TIMEOUT', `${command}: ${what} within ${timeoutMs} ms`, {
                context: { command, lines },
              }),
            );
          }, timeoutMs);
          const done = (): void => {
            clearTimeout(timer);
            unsubscribe();
          };
          this.write(command + '\r', command).catch((error: unknown) => {
            done();
            reject(error);
          });
        }),
    );
  }

  private sendAndAwaitPrompt(data: string, shown: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const unsubscribe = this.listen({
        prompt: () => {
          done();
          resolve();
        },
      });
      const timer = setTimeout(() => {
        done();
        reject(
          new SerialError(
            'SERIAL_NO_PROMPT',
            `no "> " prompt within ${this.promptTimeoutMs} ms after sending ${shown}: is the board running Edge Impulse firmware at this baud rate?`,
            { context: { sent: shown } },
          ),
        );
      }, this.promptTimeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        unsubscribe();
      };
      this.write(data, shown).catch((error: unknown) => {
        done();
        reject(error);
      });
    });
  }

  private async write(data: string, shown: string): Promise<void> {
    try {
      await writeRaw(this.port, data, this.writeOptions);
    } catch (cause) {
      throw new SerialError('SERIAL_WRITE', `writing ${shown} to the port failed`, { context: { sent: shown }, cause });
    }
  }

  /** Subscribes to several parser events at once; returns the unsubscribe function. */
  private listen(handlers: {
    line?: (line: string) => void;
    prompt?: () => void;
    invalidCommand?: () => void;
    reboot?: () => void;
  }): () => void {
    const { line, prompt, invalidCommand, reboot } = handlers;
    if (line) this.parser.on('line', line);
    if (prompt) this.parser.on('prompt', prompt);
    if (invalidCommand) this.parser.on('invalidCommand', invalidCommand);
    if (reboot) this.parser.on('reboot', reboot);
    return () => {
      if (line) this.parser.off('line', line);
      if (prompt) this.parser.off('prompt', prompt);
      if (invalidCommand) this.parser.off('invalidCommand', invalidCommand);
      if (reboot) this.parser.off('reboot', reboot);
    };
  }

  /** Runs `task` after every earlier one settled, so two commands never interleave on the wire. */
  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
