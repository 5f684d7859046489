import type { CliIo } from '../../src/cli/run-component-cli';

/** A CLI's standard streams captured in memory, for tests of what the component front prints. */
export type CapturedIo = CliIo & { out: () => string; err: () => string };

/** Stdout and stderr collected as text, with `env` as the environment the CLI reads. */
export function capturedIo(env: NodeJS.ProcessEnv = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env,
    out: () => out,
    err: () => err,
  };
}
