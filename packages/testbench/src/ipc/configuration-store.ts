/** A component's configuration tree (the nucleus's `services.<name>.configuration`). */
export type ConfigTree = Record<string, unknown>;

type Watcher = (keyPath: string[]) => void;

/**
 * The component configuration as the nucleus serves it: objects are interior nodes, everything else
 * (including arrays) is a leaf, and a change notifies each watcher whose subtree it touches.
 */
export class ConfigurationStore {
  private readonly watchers = new Set<{ keyPath: string[]; notify: Watcher }>();

  constructor(private current: ConfigTree) {}

  get tree(): ConfigTree {
    return structuredClone(this.current);
  }

  /**
   * The GetConfiguration value at keyPath, or undefined when there is no such node. Like the nucleus, a
   * leaf comes back wrapped as `{ <lastKey>: value }` because the response value must be an object.
   */
  get(keyPath: string[]): ConfigTree | undefined {
    const node = this.nodeAt(keyPath);
    if (node === undefined) return undefined;
    return isInterior(node) ? structuredClone(node) : { [keyPath[keyPath.length - 1]]: structuredClone(node) };
  }

  has(keyPath: string[]): boolean {
    return this.nodeAt(keyPath) !== undefined;
  }

  /** Calls notify with the key path of every later change at or below keyPath; returns the unsubscribe. */
  watch(keyPath: string[], notify: Watcher): () => void {
    const watcher = { keyPath, notify };
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Replaces the whole tree and returns the changed key paths (leaves, or the root of a removed subtree). */
  replace(next: ConfigTree): string[][] {
    const changed = changedPaths(this.current, next, []);
    this.current = structuredClone(next);
    for (const keyPath of changed) {
      for (const watcher of [...this.watchers]) {
        // A removed ancestor removes the watched node too, which the nucleus reports as the node itself.
        if (startsWith(keyPath, watcher.keyPath)) watcher.notify(keyPath);
        else if (startsWith(watcher.keyPath, keyPath)) watcher.notify(watcher.keyPath);
      }
    }
    return changed;
  }

  private nodeAt(keyPath: string[]): unknown {
    let node: unknown = this.current;
    for (const key of keyPath) {
      if (!isInterior(node) || !Object.hasOwn(node, key)) return undefined;
      node = node[key];
    }
    return node;
  }
}

function isInterior(value: unknown): value is ConfigTree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function changedPaths(before: unknown, after: unknown, keyPath: string[]): string[][] {
  if (isInterior(before) && isInterior(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((key) => changedPaths(before[key], after[key], [...keyPath, key]));
  }
  // Configuration is JSON; comparing serialisations also works across jest's realms (isDeepStrictEqual does not).
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return isInterior(after) ? leafPaths(after, keyPath) : [keyPath];
}

function leafPaths(tree: ConfigTree, keyPath: string[]): string[][] {
  const keys = Object.keys(tree);
  if (keys.length === 0) return [keyPath];
  return keys.flatMap((key) => {
    const value = tree[key];
    return isInterior(value) ? leafPaths(value, [...keyPath, key]) : [[...keyPath, key]];
  });
}

function startsWith(keyPath: string[], prefix: string[]): boolean {
  return prefix.length <= keyPath.length && prefix.every((key, i) => keyPath[i] === key);
}
