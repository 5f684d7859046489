import { readFileSync } from 'node:fs';
import type { ComponentChange } from '../deploy/deployment-request';

/**
 * `--component Name=1.2.3`, `--config Name={"Parameters":{...}}` (or `Name=@file.json`) and
 * `--reset Name=/Parameters/key` flags, shared by deploy and deploy-local, as per-component changes.
 */
export function componentChanges(
  components: string[],
  configs: string[] = [],
  resets: string[] = [],
): Record<string, ComponentChange> {
  const changes: Record<string, ComponentChange> = {};
  for (const [name, version] of components.map(splitPair)) changes[name] = { componentVersion: version };
  const changeOf = (name: string, flag: string) => {
    const change = changes[name];
    if (change === undefined) throw new Error(`${flag} ${name}: add --component ${name}=<version>`);
    return change;
  };
  for (const [name, json] of configs.map(splitPair)) {
    const text = json.startsWith('@') ? readFileSync(json.slice(1), 'utf8') : json;
    changeOf(name, '--config').merge = JSON.parse(text) as Record<string, unknown>;
  }
  for (const [name, pointer] of resets.map(splitPair)) (changeOf(name, '--reset').reset ??= []).push(pointer);
  return changes;
}

function splitPair(flag: string): [string, string] {
  const at = flag.indexOf('=');
  if (at <= 0) throw new Error(`expected Name=value, got ${JSON.stringify(flag)}`);
  return [flag.slice(0, at), flag.slice(at + 1)];
}
