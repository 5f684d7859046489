import { ConfigurationStore } from '../src/ipc/configuration-store';

describe('ConfigurationStore', () => {
  it('reports changed leaves, added subtrees by leaf and removed subtrees by their root', () => {
    const store = new ConfigurationStore({ a: { b: 1, c: [1] }, gone: { x: 1 }, same: 'v' });
    expect(store.replace({ a: { b: 2, c: [1] }, added: { p: { q: 1 }, r: 2 }, same: 'v' })).toEqual([
      ['a', 'b'],
      ['gone'],
      ['added', 'p', 'q'],
      ['added', 'r'],
    ]);
  });

  it('notifies watchers of changes at or below their path, and of the removal of an ancestor', () => {
    const store = new ConfigurationStore({ model: { threshold: 0.5, labels: { a: 1 } }, other: 1 });
    const seen: string[][] = [];
    store.watch(['model', 'labels'], (keyPath) => seen.push(keyPath));

    store.replace({ model: { threshold: 0.6, labels: { a: 2 } }, other: 2 });
    store.replace({ other: 2 });

    expect(seen).toEqual([
      ['model', 'labels', 'a'],
      ['model', 'labels'],
    ]);
  });

  it('hands out copies, so callers cannot change the served configuration', () => {
    const store = new ConfigurationStore({ a: { b: 1 } });
    (store.get(['a']) as { b: number }).b = 9;
    (store.tree.a as { b: number }).b = 9;
    expect(store.get([])).toEqual({ a: { b: 1 } });
  });
});
