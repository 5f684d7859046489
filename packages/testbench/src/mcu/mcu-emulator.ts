import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SerialPort } from 'serialport';
import { EmulatedFirmware, EmulatedFirmwareOptions } from './emulated-firmware';
import { SocatPtyPair } from './socat-pty-pair';

export interface McuEmulatorOptions extends EmulatedFirmwareOptions {
  /** Directory for the two pty links (default: a fresh one under the system temp dir, removed on stop). */
  directory?: string;
  /** Name of the component's end in `directory` (default `ttyEI0`). */
  deviceName?: string;
}

/**
 * An Edge Impulse board on the far end of a real pty pair. The component under test opens {@link devicePath}
 * like a USB serial port; the emulator holds the other end with its own SerialPort (fs streams would block a
 * thread in a tty read and keep the process from exiting).
 */
export class McuEmulator {
  /** Everything the component wrote, as latin1 text. */
  private receivedText = '';
  private port: SerialPort | undefined;
  private pair: SocatPtyPair | undefined;
  private readonly firmware: EmulatedFirmware;

  private constructor(
    readonly devicePath: string,
    private readonly farPath: string,
    private readonly ownedDirectory: string | undefined,
    options: McuEmulatorOptions,
  ) {
    this.firmware = new EmulatedFirmware((text) => void this.write(text), options);
  }

  static async start(options: McuEmulatorOptions = {}): Promise<McuEmulator> {
    const ownedDirectory = options.directory
      ? undefined
      : await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ei-gg-mcu-'));
    const directory = options.directory ?? ownedDirectory!;
    const name = options.deviceName ?? 'ttyEI0';
    const emulator = new McuEmulator(
      path.join(directory, name),
      path.join(directory, `${name}-mcu`),
      ownedDirectory,
      options,
    );
    await emulator.reappear();
    return emulator;
  }

  get received(): string {
    return this.receivedText;
  }

  /** Whether an impulse runs (started by AT+RUNIMPULSE, not yet stopped by `b`). */
  get running(): boolean {
    return this.firmware.running;
  }

  /** True while the pty pair exists (between start/reappear and disappear/stop). */
  get present(): boolean {
    return this.pair !== undefined;
  }

  /** Resolves when the component has written `text` (since start), rejects after `timeoutMs`. */
  waitForReceived(text: string, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (this.receivedText.includes(text)) finish();
        else if (Date.now() - started > timeoutMs)
          finish(new Error(`component did not write ${JSON.stringify(text)} within ${timeoutMs} ms`));
      }, 10);
      const finish = (error?: Error): void => {
        clearInterval(poll);
        if (error) reject(error);
        else resolve();
      };
    });
  }

  /** The board resets: its run stops, it prints the boot banner and a prompt. */
  reboot(): void {
    this.firmware.reboot();
  }

  /** Raw bytes on the line, as a noisy cable or a foreign log would produce them. */
  injectNoise(bytes: Buffer | string): Promise<void> {
    return this.write(bytes);
  }

  /** Writes a transcript as the board's output, byte for byte. */
  replayTranscript(text: Buffer | string): Promise<void> {
    return this.write(text);
  }

  /** Unplugged: the board loses power and the port vanishes (socat ends, so the component's end closes). */
  async disappear(): Promise<void> {
    this.firmware.powerOff();
    const port = this.port;
    const pair = this.pair;
    this.port = undefined;
    this.pair = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    await pair?.close();
  }

  /** Plugged in again at the same path. */
  async reappear(): Promise<void> {
    if (this.pair) return;
    this.pair = await SocatPtyPair.create(this.devicePath, this.farPath);
    const port = new SerialPort({ path: this.farPath, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    port.on('data', (chunk: Buffer) => {
      this.receivedText += chunk.toString('latin1');
      this.firmware.input(chunk);
    });
    // Errors after disappear() (EIO from the vanished pty) are expected; the port is being dropped anyway.
    port.on('error', () => undefined);
    this.port = port;
  }

  async stop(): Promise<void> {
    await this.disappear();
    if (this.ownedDirectory) await fs.promises.rm(this.ownedDirectory, { recursive: true, force: true });
  }

  private write(data: Buffer | string): Promise<void> {
    const port = this.port;
    if (!port) return Promise.resolve();
    return new Promise((resolve) => {
      port.write(data);
      port.drain(() => resolve());
    });
  }
}
