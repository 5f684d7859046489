import { FIRMWARE_RESULT_BLOCKS } from './firmware-result-blocks';
import {
  configText,
  DEFAULT_BOOT_BANNER,
  DEFAULT_IDENTITY,
  FirmwareIdentity,
  helpText,
  infoText,
  settingsText,
} from './firmware-texts';

export interface EmulatedFirmwareOptions extends Partial<FirmwareIdentity> {
  /** Result blocks printed in turn, cycling, while an impulse runs (any era's format; default: all of them). */
  blocks?: string[];
  /** Time between two result blocks (default 100 ms; real firmware: about 2 s). */
  intervalMs?: number;
  /** Line ending every `\n` of the output is written as (default `\r\n`, like ei_printf on most boards). */
  lineEnding?: string;
  bootBanner?: string;
}

/**
 * The board's side of the AT protocol, independent of any port: bytes in through {@link input}, text out
 * through `output`. Mirrors firmware-sdk's ATServer: printable input is echoed, `\r` runs the line and prints
 * `\r\n`, the answer and the `> ` prompt; during a run only `b` is read, which stops it.
 */
export class EmulatedFirmware {
  private readonly identity: FirmwareIdentity;
  private readonly blocks: string[];
  private readonly intervalMs: number;
  private readonly lineEnding: string;
  private readonly bootBanner: string;
  private line = '';
  private runTimer: NodeJS.Timeout | undefined;
  private nextBlock = 0;

  constructor(
    private readonly output: (text: string) => void,
    options: EmulatedFirmwareOptions = {},
  ) {
    const { blocks, intervalMs, lineEnding, bootBanner, ...identity } = options;
    this.identity = { ...DEFAULT_IDENTITY, ...identity };
    this.blocks = blocks ?? FIRMWARE_RESULT_BLOCKS.map((b) => b.text);
    this.intervalMs = intervalMs ?? 100;
    this.lineEnding = lineEnding ?? '\r\n';
    this.bootBanner = bootBanner ?? DEFAULT_BOOT_BANNER;
  }

  get running(): boolean {
    return this.runTimer !== undefined;
  }

  input(chunk: Buffer | string): void {
    for (const char of chunk.toString('latin1')) {
      if (this.running) {
        if (char === 'b') this.stopRun();
        continue;
      }
      if (char === '\r') {
        this.output('\r\n');
        this.execute(this.line);
        this.line = '';
      } else if (char >= ' ' && char <= '~') {
        this.line += char;
        this.output(char);
      }
    }
  }

  /** A reset: the run and any half-typed command are gone, then the boot banner and a prompt. */
  reboot(): void {
    this.powerOff();
    this.print(this.lineEnding + this.bootBanner);
    this.output('> ');
  }

  /** Power lost: everything stops, nothing is printed. */
  powerOff(): void {
    clearInterval(this.runTimer);
    this.runTimer = undefined;
    this.line = '';
  }

  private execute(command: string): void {
    switch (command) {
      case 'AT+CONFIG?':
        this.print(configText(this.identity));
        break;
      case 'AT+INFO':
        this.print(this.identity.infoSupported ? infoText(this.identity) : `Not a valid AT command (${command})\n`);
        break;
      case 'AT+HELP':
        this.print(helpText(this.identity));
        break;
      case 'AT+RUNIMPULSE':
      case 'AT+RUNIMPULSECONT':
        return this.startRun(command === 'AT+RUNIMPULSECONT');
      default:
        this.print(`Not a valid AT command (${command})\n`);
    }
    this.output('> ');
  }

  private startRun(continuous: boolean): void {
    this.print(settingsText(2) + "Starting inferencing, press 'b' to break\n");
    this.runTimer = setInterval(() => {
      const block = this.blocks[this.nextBlock++ % this.blocks.length];
      this.print((continuous ? '' : 'Starting inferencing in 2 seconds...\n') + block);
    }, this.intervalMs);
  }

  private stopRun(): void {
    this.powerOff();
    this.print('Inferencing stopped by user\n');
    this.output('> ');
  }

  private print(text: string): void {
    this.output(text.replace(/\r?\n/g, this.lineEnding));
  }
}
