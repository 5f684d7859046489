type Tree = Record<string, unknown>;

const isTree = (value: unknown): value is Tree => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A deployment's `merge`: objects merge key by key, anything else (arrays included) replaces. With
 * `caseInsensitive` (the classic nucleus, whose configuration Topics key children by CaseInsensitiveString) an
 * update's `parameters.Device_Name` lands on the existing `Parameters.device_name`, which keeps its spelling;
 * Nucleus Lite's configuration keys are exact.
 */
export function mergeConfiguration(base: Tree, update: Tree, caseInsensitive = false): Tree {
  const merged: Tree = { ...base };
  for (const [updateKey, value] of Object.entries(update)) {
    const key =
      (caseInsensitive && !Object.hasOwn(merged, updateKey)
        ? Object.keys(merged).find((k) => k.toLowerCase() === updateKey.toLowerCase())
        : undefined) ?? updateKey;
    merged[key] =
      isTree(value) && isTree(merged[key]) ? mergeConfiguration(merged[key], value, caseInsensitive) : value;
  }
  return merged;
}
