import { resolve } from 'node:path';

/** The repository root, from this file's place in tools/greengrass/{src,dist}/cli. */
export const REPOSITORY_ROOT = resolve(__dirname, '..', '..', '..', '..');

/** Runs a CLI's main with its arguments: an error is one line on stderr and exit code 1. */
export function runCli(main: (args: string[]) => Promise<void>): void {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
