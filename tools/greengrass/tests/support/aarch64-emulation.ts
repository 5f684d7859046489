import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where qemu-user-static puts its binfmt_misc entry for aarch64 ELF executables (Debian bookworm: flags OPF, F
 * opening qemu at registration), for systemd-binfmt to register at boot; the name varies between releases.
 */
const BINFMT_D = '/usr/lib/binfmt.d';
const QEMU_BINFMT_CONF = /^qemu-aarch64(-static)?\.conf$/;
/** libc6-arm64-cross and libstdc++6-arm64-cross: the aarch64 dynamic loader and the libraries Node links. */
const CROSS_ROOT = '/usr/aarch64-linux-gnu';
const CROSS_LIBRARIES = ['lib/ld-linux-aarch64.so.1', 'lib/libc.so.6', 'lib/libstdc++.so.6'];
const BINFMT_MISC = '/proc/sys/fs/binfmt_misc';
/** The ELF header bytes every aarch64 executable registration matches on (64-bit, little-endian, EM_AARCH64). */
const AARCH64_MAGIC = '7f454c460201010000000000000000000200b700';

/**
 * Makes the kernel run aarch64 executables under qemu-user, so that an aarch64 artifact's steps run unchanged:
 * lifecycle.sh starts its Node, which spawns the model or the Edge Impulse client, each emulated through
 * binfmt_misc. Mounts binfmt_misc if needed and registers qemu-user-static's entry unless aarch64 already has
 * one (an existing registration is left as it is). Then makes `etc`, the device's /etc, hold Debian qemu's
 * interpreter prefix, /etc/qemu-binfmt/aarch64 -> /usr/aarch64-linux-gnu: the emulated executables find their
 * dynamic loader and libraries there without QEMU_LD_PREFIX (the nucleus passes steps no such variable), and the
 * machine's own /etc is not changed. Throws, saying what to install or enable, when something is missing.
 */
export function emulateAarch64(etc: string): void {
  const conf = existsSync(BINFMT_D) ? readdirSync(BINFMT_D).find((name) => QEMU_BINFMT_CONF.test(name)) : undefined;
  if (conf === undefined)
    throw new Error(
      `no ${BINFMT_D}/qemu-aarch64.conf: the aarch64 tests need qemu-user-static (apt-get install qemu-user-static; bash tools/test-all.sh does it)`,
    );
  const missing = CROSS_LIBRARIES.filter((library) => !existsSync(join(CROSS_ROOT, library)));
  if (missing.length > 0)
    throw new Error(
      `${missing.map((library) => join(CROSS_ROOT, library)).join(', ')} missing: the aarch64 tests need libc6-arm64-cross and libstdc++6-arm64-cross (bash tools/test-all.sh installs them)`,
    );
  mountBinfmtMisc();
  registerAarch64(join(BINFMT_D, conf));
  const prefix = join(etc, 'qemu-binfmt', 'aarch64');
  if (!existsSync(prefix)) {
    mkdirSync(join(etc, 'qemu-binfmt'), { recursive: true });
    symlinkSync(CROSS_ROOT, prefix);
  }
}

function mountBinfmtMisc(): void {
  if (!existsSync(join(BINFMT_MISC, 'register'))) {
    try {
      execFileSync('mount', ['-t', 'binfmt_misc', 'binfmt_misc', BINFMT_MISC], { stdio: 'pipe' });
    } catch (error) {
      throw new Error(
        `binfmt_misc is not mounted at ${BINFMT_MISC} and mounting it failed (${String((error as { stderr?: Buffer }).stderr ?? error).trim()}): the aarch64 tests run aarch64 executables through it; run them as root where it can be mounted (a privileged container)`,
        { cause: error },
      );
    }
  }
  if (readFileSync(join(BINFMT_MISC, 'status'), 'utf8').trim() !== 'enabled')
    throw new Error(`binfmt_misc is disabled: enable it with echo 1 > ${BINFMT_MISC}/status`);
}

/** Registers `conf` unless an entry already handles aarch64; two test files may race here. */
function registerAarch64(conf: string): void {
  const existing = aarch64Entry();
  if (existing?.enabled) return;
  if (existing !== undefined)
    throw new Error(
      `${join(BINFMT_MISC, existing.name)} handles aarch64 executables but is disabled: enable it with echo 1 > ${join(BINFMT_MISC, existing.name)}`,
    );
  const entry = readFileSync(conf, 'utf8')
    .split('\n')
    .find((line) => line.startsWith(':'));
  if (entry === undefined) throw new Error(`${conf} holds no binfmt_misc entry`);
  try {
    writeFileSync(join(BINFMT_MISC, 'register'), entry);
  } catch (error) {
    if (aarch64Entry()?.enabled) return; // registered meanwhile by another test file
    throw new Error(`registering ${conf} in ${BINFMT_MISC} failed`, { cause: error });
  }
}

function aarch64Entry(): { name: string; enabled: boolean } | undefined {
  for (const name of readdirSync(BINFMT_MISC)) {
    if (name === 'register' || name === 'status') continue;
    const lines = readFileSync(join(BINFMT_MISC, name), 'utf8').split('\n');
    if (lines.includes(`magic ${AARCH64_MAGIC}`)) return { name, enabled: lines[0] === 'enabled' };
  }
  return undefined;
}
