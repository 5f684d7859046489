import { readFileSync } from 'node:fs';
import { round } from './statistics';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface ModuleCost {
  module: string;
  /** Self sizes of its scripts, their source and line ends, function infos, bytecode and closures. */
  mb: number;
  scripts: number;
}

/**
 * What loading each package costs in a heap snapshot: for every script, its source, its functions' shared infos
 * and bytecode and their closures (self sizes), summed per npm package (or `@ei-gg/<package>`, `node:internal`).
 * Data the modules build (caches, tables) is not attributed: this is the part lazy loading saves.
 */
export function heapCostByModule(snapshotPath: string, top = 10): { total_heap_mb: number; modules: ModuleCost[] } {
  const data = JSON.parse(readFileSync(snapshotPath, 'utf8')) as Snapshot;
  const meta = data.snapshot.meta;
  const nodeWidth = meta.node_fields.length;
  const edgeWidth = meta.edge_fields.length;
  const [typeOf, nameOf, selfOf, edgeCountOf] = ['type', 'name', 'self_size', 'edge_count'].map((f) =>
    meta.node_fields.indexOf(f),
  );
  const [edgeTypeOf, edgeNameOf, edgeToOf] = ['type', 'name_or_index', 'to_node'].map((f) =>
    meta.edge_fields.indexOf(f),
  );
  const stringType = meta.node_types[0].indexOf('string');
  const elementEdge = meta.edge_types[0].indexOf('element');
  const hiddenEdge = meta.edge_types[0].indexOf('hidden');
  const count = data.nodes.length / nodeWidth;
  const firstEdge = new Uint32Array(count + 1);
  for (let n = 0; n < count; n++) firstEdge[n + 1] = firstEdge[n] + data.nodes[n * nodeWidth + edgeCountOf];
  const self = (n: number | undefined) => (n === undefined ? 0 : data.nodes[n * nodeWidth + selfOf]);
  /** Named edges of node n, as [name, target node index]. */
  const edges = function* (n: number): Generator<[string, number]> {
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) {
      const type = data.edges[e * edgeWidth + edgeTypeOf];
      if (type === elementEdge || type === hiddenEdge) continue;
      yield [data.strings[data.edges[e * edgeWidth + edgeNameOf]], data.edges[e * edgeWidth + edgeToOf] / nodeWidth];
    }
  };
  const target = (n: number, name: string) => {
    for (const [edge, to] of edges(n)) if (edge === name) return to;
    return undefined;
  };
  // Scripts: what function infos point at; their file is their 'name' string.
  const scriptFile = new Map<number, string>();
  const scriptOfInfo = new Map<number, number>();
  let total = 0;
  for (let n = 0; n < count; n++) {
    total += self(n);
    const script = target(n, 'script') ?? target(n, 'script_or_debug_info');
    if (script === undefined) continue;
    const name = target(script, 'name');
    if (name === undefined || data.nodes[name * nodeWidth + typeOf] !== stringType) continue;
    scriptFile.set(script, data.strings[data.nodes[name * nodeWidth + nameOf]]);
    scriptOfInfo.set(n, script);
  }
  const bytes = new Map<string, number>();
  const scripts = new Map<string, number>();
  const add = (script: number, size: number) => {
    const module = moduleOf(scriptFile.get(script) as string);
    bytes.set(module, (bytes.get(module) ?? 0) + size);
  };
  for (const script of new Set(scriptOfInfo.values())) {
    const module = moduleOf(scriptFile.get(script) as string);
    scripts.set(module, (scripts.get(module) ?? 0) + 1);
    add(script, self(script) + ['source', 'line_ends'].reduce((sum, e) => sum + self(target(script, e)), 0));
  }
  for (const [info, script] of scriptOfInfo) add(script, self(info) + self(target(info, 'function_data')));
  // A closure's edge to its SharedFunctionInfo is named `shared` in V8's heap snapshots.
  const toSharedInfo = 'shared';
  for (let n = 0; n < count; n++) {
    const info = target(n, toSharedInfo);
    const script = info === undefined ? undefined : scriptOfInfo.get(info);
    if (script !== undefined) add(script, self(n));
  }
  const modules = [...bytes]
    .map(([module, size]) => ({ module, mb: round(size / 1024 / 1024, 2), scripts: scripts.get(module) ?? 0 }))
    .sort((a, b) => b.mb - a.mb)
    .slice(0, top);
  return { total_heap_mb: round(total / 1024 / 1024, 1), modules };
}

function moduleOf(file: string): string {
  const inModules = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (inModules) return inModules[1];
  const ours = /packages\/([^/]+)\//.exec(file);
  if (ours) return `@ei-gg/${ours[1]}`;
  if (file.startsWith('node:')) return 'node:internal';
  return file === '' ? '(no file)' : file;
}
