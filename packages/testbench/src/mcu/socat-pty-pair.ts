import { ChildProcess, spawn } from 'child_process';
import { once } from 'events';
import * as fs from 'fs';

/**
 * A real pseudo-terminal pair from `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`: bytes written to
 * one end come out of the other. socat creates both links and removes them when it exits.
 */
export class SocatPtyPair {
  private exited: Promise<unknown>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = once(child, 'exit');
  }

  /** Resolves once socat runs its transfer loop and both links exist. */
  static async create(linkA: string, linkB: string, timeoutMs = 5000): Promise<SocatPtyPair> {
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${linkA}`, `pty,raw,echo=0,link=${linkB}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const pair = new SocatPtyPair(child);
    let log = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`socat did not start within ${timeoutMs} ms: ${log}`)),
          timeoutMs,
        );
        const settle = (error?: Error): void => {
          clearTimeout(timer);
          child.stderr.removeAllListeners('data');
          child.removeAllListeners('error');
          if (error) reject(error);
          else resolve();
        };
        child.once('error', (error) => settle(new Error(`cannot run socat (Debian package socat): ${error.message}`)));
        child.stderr.on('data', (data: Buffer) => {
          log += data.toString();
          if (log.includes('starting data transfer loop') && fs.existsSync(linkA) && fs.existsSync(linkB)) settle();
        });
        void pair.exited.then(() => settle(new Error(`socat exited: ${log}`)));
      });
    } catch (error) {
      await pair.close();
      throw error;
    }
    // socat keeps logging per transfer with -d -d; reading keeps its pipe from filling up.
    child.stderr.resume();
    return pair;
  }

  /** Ends socat (both ptys close, the links disappear) and waits for it to exit. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
