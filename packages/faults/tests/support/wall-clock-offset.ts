import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Where Debian's libfaketime package puts the library on each architecture (the multi-threaded one: Node has threads). */
const LIBFAKETIME_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/arm-linux-gnueabihf/faketime/libfaketimeMT.so.1',
  '/usr/local/lib/faketime/libfaketimeMT.so.1',
];

/**
 * A wall clock a test moves under a running process, as NTP moves the clock of a device that booted with a wrong
 * one: libfaketime preloaded, its offset read from a file on every call (`FAKETIME_NO_CACHE`), and only
 * CLOCK_REALTIME faked (`FAKETIME_DONT_FAKE_MONOTONIC`): monotonic clocks never jump on a real device. Node's
 * Date.now() reads CLOCK_REALTIME through clock_gettime, so it follows; timers and performance.now() do not.
 */
export class WallClockOffset {
  private readonly file: string;

  /** `dir`: where the offset file lives (the test's temporary directory). */
  constructor(dir: string) {
    this.file = path.join(dir, 'faketime.rc');
    writeFileSync(this.file, '+0\n');
  }

  /** The environment that puts a process on this clock; throws, naming the package, when libfaketime is missing. */
  env(): NodeJS.ProcessEnv {
    const lib = LIBFAKETIME_CANDIDATES.find((candidate) => existsSync(candidate));
    if (!lib)
      throw new Error(
        `libfaketime not found (looked for ${LIBFAKETIME_CANDIDATES.join(', ')}): install Debian's faketime ` +
          `package (apt-get install -y faketime; tools/test-all.sh does)`,
      );
    return {
      LD_PRELOAD: [process.env.LD_PRELOAD, lib].filter(Boolean).join(' '),
      FAKETIME_TIMESTAMP_FILE: this.file,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    };
  }

  /** Moves the process's wall clock to real time + `offsetMs` (whole seconds), from its next reading on. */
  set(offsetMs: number): void {
    const seconds = Math.round(offsetMs / 1000);
    writeFileSync(this.file, `${seconds < 0 ? '-' : '+'}${Math.abs(seconds)}\n`);
  }
}
