type Tree = Record<string, unknown>;

const isTree = (value: unknown): value is Tree => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A deployment's `merge`: objects merge key by key, anything else (arrays included) replaces. */
export function mergeConfiguration(base: Tree, update: Tree): Tree {
  const merged: Tree = { ...base };
  for (const [key, value] of Object.entries(update)) {
    merged[key] = isTree(value) && isTree(merged[key]) ? mergeConfiguration(merged[key], value) : value;
  }
  return merged;
}
