import { existsSync, statSync } from 'node:fs';

/**
 * Where a lifecycle step runs: optionally in its own network namespace (no interface but a down loopback:
 * no network at all) and mount namespace, in which paths are hidden (an empty tmpfs over a directory,
 * /dev/null over a file) and directories bound over others (e.g. a scratch copy of /etc for the install step).
 * Needs root (or user namespaces); `unshare` comes from util-linux.
 */
export interface Sandbox {
  isolateNetwork?: boolean;
  hide?: readonly string[];
  bind?: ReadonlyArray<{ source: string; target: string }>;
}

/** The argv that runs `script` with `sh -c` inside the sandbox. */
export function sandboxedCommand(script: string, sandbox: Sandbox = {}): string[] {
  const hide = sandbox.hide ?? [];
  const bind = sandbox.bind ?? [];
  if (!sandbox.isolateNetwork && hide.length === 0 && bind.length === 0) return ['/bin/sh', '-c', script];
  const mounts = [
    ...bind.map(({ source, target }) => `mount --bind ${quote(source)} ${quote(target)}`),
    ...hide
      .filter((path) => existsSync(path))
      .map((path) =>
        statSync(path).isDirectory()
          ? `mount -t tmpfs -o size=64k,mode=755 tmpfs ${quote(path)}`
          : `mount --bind /dev/null ${quote(path)}`,
      ),
  ];
  // The step's script travels as an argument ("$1"), so no quoting of it is needed.
  const setup = [...mounts, 'exec /bin/sh -c "$1"'].join(' && ');
  return [
    'unshare',
    ...(sandbox.isolateNetwork ? ['--net'] : []),
    '--mount',
    '--',
    '/bin/sh',
    '-c',
    setup,
    'sandbox',
    script,
  ];
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
