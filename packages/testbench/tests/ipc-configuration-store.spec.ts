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

  it('with caseInsensitiveKeys, finds keys whatever their case and keeps the name first stored', () => {
    const store = new ConfigurationStore(
      { Model: { Threshold: 0.5 }, model: { labels: ['a'] }, A: 1, a: 2 },
      { caseInsensitiveKeys: true },
    );
    // Keys of one object differing only in case are one key: the first name, interiors merged, the last leaf.
    expect(store.tree).toEqual({ Model: { Threshold: 0.5, labels: ['a'] }, A: 2 });
    expect(store.resolve(['MODEL', 'threshold'])).toEqual(['Model', 'Threshold']);
    expect(store.get(['model', 'THRESHOLD'])).toEqual({ Threshold: 0.5 });
    expect(store.get(['model', 'THRESHOLD'], 'requested')).toEqual({ THRESHOLD: 0.5 });

    const seen: string[][] = [];
    store.watch(['mODEL'], (keyPath) => seen.push(keyPath));
    expect(store.replace({ MODEL: { threshold: 0.7, labels: ['a'] }, a: 2 })).toEqual([['Model', 'Threshold']]);
    expect(seen).toEqual([['Model', 'Threshold']]);
    expect(store.tree).toEqual({ Model: { Threshold: 0.7, labels: ['a'] }, A: 2 });
  });

  it('without caseInsensitiveKeys (Lite), keys differing in case are different keys', () => {
    const store = new ConfigurationStore({ Model: 1, model: 2 });
    expect(store.get(['model'])).toEqual({ model: 2 });
    expect(store.has(['MODEL'])).toBe(false);
  });
});
