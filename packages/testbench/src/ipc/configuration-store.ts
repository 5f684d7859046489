/** A component's configuration tree (the nucleus's `services.<name>.configuration`). */
export type ConfigTree = Record<string, unknown>;

type Watcher = (keyPath: string[]) => void;

export interface ConfigurationStoreOptions {
  /**
   * Keys match whatever their case, as in the Java nucleus, whose configuration nodes are keyed by
   * CaseInsensitiveString (Topics.children): a lookup finds `Model` under `model`, a key keeps the name it was
   * first stored with, and two keys differing only in case are one key. Nucleus Lite compares keys byte for
   * byte (ggconfigd's keyTable is `COLLATE BINARY`), so it leaves this off.
   */
  caseInsensitiveKeys?: boolean;
}

/**
 * The component configuration as the nucleus serves it: objects are interior nodes, everything else
 * (including arrays) is a leaf, and a change notifies each watcher whose subtree it touches.
 */
export class ConfigurationStore {
  private readonly watchers = new Set<{ keyPath: string[]; notify: Watcher }>();
  private readonly caseInsensitive: boolean;
  private current: ConfigTree;

  constructor(initial: ConfigTree, options: ConfigurationStoreOptions = {}) {
    this.caseInsensitive = options.caseInsensitiveKeys ?? false;
    this.current = this.canonical(structuredClone(initial), {});
  }

  get tree(): ConfigTree {
    return structuredClone(this.current);
  }

  /**
   * The GetConfiguration value at keyPath, or undefined when there is no such node. Like the nucleus, a
   * leaf comes back wrapped as `{ <key>: value }` because the response value must be an object; the Java
   * nucleus names it as stored (Node.getName()), Lite as requested (the two differ only in case).
   */
  get(keyPath: string[], leafName: 'stored' | 'requested' = 'stored'): ConfigTree | undefined {
    const stored = this.resolve(keyPath);
    if (stored === undefined) return undefined;
    const node = this.nodeAt(stored);
    if (isInterior(node)) return structuredClone(node);
    const name = (leafName === 'stored' ? stored : keyPath)[keyPath.length - 1];
    return { [name]: structuredClone(node) };
  }

  has(keyPath: string[]): boolean {
    return this.resolve(keyPath) !== undefined;
  }

  /**
   * The key path with each key as stored (they differ from the requested ones only in case, and only with
   * caseInsensitiveKeys), or undefined when there is no such node.
   */
  resolve(keyPath: string[]): string[] | undefined {
    let node: unknown = this.current;
    const stored: string[] = [];
    for (const key of keyPath) {
      if (!isInterior(node)) return undefined;
      const name = this.keyIn(node, key);
      if (name === undefined) return undefined;
      stored.push(name);
      node = node[name];
    }
    return stored;
  }

  /**
   * Calls notify with the key path (keys as stored) of every later change at or below keyPath, which must
   * exist; returns the unsubscribe.
   */
  watch(keyPath: string[], notify: Watcher): () => void {
    const watcher = { keyPath: this.resolve(keyPath) ?? keyPath, notify };
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /**
   * Replaces the whole tree like a deployment and returns the changed key paths (leaves, or the root of a
   * removed subtree). With caseInsensitiveKeys a key matching a stored one keeps the stored name.
   */
  replace(next: ConfigTree): string[][] {
    const canonical = this.canonical(structuredClone(next), this.current);
    const changed = changedPaths(this.current, canonical, []);
    this.current = canonical;
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
    for (const key of keyPath) node = (node as ConfigTree)[key];
    return node;
  }

  private keyIn(node: ConfigTree, key: string): string | undefined {
    if (Object.hasOwn(node, key)) return key;
    if (!this.caseInsensitive) return undefined;
    const lower = key.toLowerCase();
    return Object.keys(node).find((name) => name.toLowerCase() === lower);
  }

  /**
   * With caseInsensitiveKeys: keys take the name of the stored key they match (`previous`), and keys of one
   * object that differ only in case become one, named as the first, with interior values merged and the last
   * leaf value winning (Topics.updateFromMap visits the keys in order and updates the one node).
   */
  private canonical(tree: ConfigTree, previous: unknown): ConfigTree {
    if (!this.caseInsensitive) return tree;
    const result: ConfigTree = {};
    const before = isInterior(previous) ? previous : {};
    for (const [key, value] of Object.entries(tree)) {
      const name = this.keyIn(result, key) ?? this.keyIn(before, key) ?? key;
      const existing = result[name];
      const merged = isInterior(existing) && isInterior(value) ? { ...existing, ...value } : value;
      result[name] = isInterior(merged) ? this.canonical(merged, before[name]) : merged;
    }
    return result;
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
