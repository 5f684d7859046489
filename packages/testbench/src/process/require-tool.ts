import { accessSync, constants } from 'fs';
import { delimiter, join } from 'path';

// Debian installs daemons such as mosquitto in sbin, which a non-root PATH usually lacks.
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Absolute path of an executable found on PATH or in the sbin directories, or undefined. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== ''), ...SBIN_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Absolute path of a system tool a test needs. A missing tool is an error, never a skip: a suite that silently
 * skips its real peer proves nothing.
 */
export function requireTool(name: string, debianPackage: string): string {
  const path = findTool(name);
  if (path === undefined) {
    throw new Error(
      `${name} not found on PATH: install the Debian package ${debianPackage} (bash tools/test-all.sh does it)`,
    );
  }
  return path;
}
