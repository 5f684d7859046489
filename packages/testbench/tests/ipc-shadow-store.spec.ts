import { SHADOW_MANAGER, ShadowRejection, ShadowStore, shadowTopicPrefix } from '../src/ipc';
import { LocalPubSub } from '../src/ipc/local-pub-sub';

const NOW_MS = 1_700_000_000_500;
/** Shadow timestamps are epoch seconds. */
const SECONDS = 1_700_000_000;

function storeWithMessages(): { store: ShadowStore; messages: { topic: string; message: unknown }[] } {
  const pubSub = new LocalPubSub();
  const messages: { topic: string; message: unknown }[] = [];
  pubSub.subscribe('$aws/things/#', 'com.example.Listener', undefined, (topic, message) => {
    if (!('binary' in message)) throw new Error('ShadowManager publishes binary messages');
    messages.push({ topic, message: JSON.parse(message.binary.toString('utf8')) });
  });
  return { store: new ShadowStore(pubSub, () => NOW_MS), messages };
}

function rejectionOf(run: () => unknown): ShadowRejection {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ShadowRejection);
    return error as ShadowRejection;
  }
  throw new Error('expected a ShadowRejection');
}

describe('ShadowStore', () => {
  it('names topics and policy resources like ShadowManager', () => {
    expect(shadowTopicPrefix('dev-1')).toBe('$aws/things/dev-1/shadow');
    expect(shadowTopicPrefix('dev-1', 'config')).toBe('$aws/things/dev-1/shadow/name/config');
  });

  it('publishes delta, documents and accepted from aws.greengrass.ShadowManager, in that order', () => {
    const pubSub = new LocalPubSub();
    const sources: string[] = [];
    const store = new ShadowStore(pubSub, () => NOW_MS);
    pubSub.subscribe('$aws/things/dev-1/shadow/#', 'com.example.Listener', undefined, (topic) => sources.push(topic));
    const origin: string[] = [];
    // RECEIVE_MESSAGES_FROM_OTHERS: a subscriber named like ShadowManager would not get its own messages.
    pubSub.subscribe('$aws/things/dev-1/shadow/#', SHADOW_MANAGER, undefined, (topic) => origin.push(topic));

    store.setDesired('dev-1', '', { on: true });

    expect(sources).toEqual([
      '$aws/things/dev-1/shadow/update/delta',
      '$aws/things/dev-1/shadow/update/documents',
      '$aws/things/dev-1/shadow/update/accepted',
    ]);
    expect(origin).toEqual([]);
  });

  it('merges recursively, replaces arrays whole and keeps each section apart', () => {
    const { store } = storeWithMessages();
    store.update('dev-1', 'config', { state: { reported: { a: { b: 1, c: [1, 2] }, d: 'x' } } });
    store.update('dev-1', 'config', { state: { reported: { a: { c: [3] } } } });

    expect(store.get('dev-1', 'config')).toEqual({
      state: { reported: { a: { b: 1, c: [3] }, d: 'x' } },
      metadata: {
        reported: { a: { b: { timestamp: SECONDS }, c: [{ timestamp: SECONDS }] }, d: { timestamp: SECONDS } },
      },
      version: 2,
      timestamp: SECONDS,
    });
  });

  it('computes the delta per key, arrays and values whole, numbers by value', () => {
    const { store } = storeWithMessages();
    store.update('dev-1', '', { state: { reported: { n: 1, list: [1, 2], nested: { x: 1, y: 2 }, extra: true } } });
    store.setDesired('dev-1', '', { n: 1.0, list: [1, 2], nested: { x: 1, y: 3 }, added: 'new' });

    expect(store.get('dev-1')?.state.delta).toEqual({ nested: { y: 3 }, added: 'new' });
    store.setDesired('dev-1', '', { list: [2, 1] });
    expect(store.get('dev-1')?.state.delta).toEqual({ nested: { y: 3 }, added: 'new', list: [2, 1] });
    store.setDesired('dev-1', '', null);
    expect(store.get('dev-1')?.state).toEqual({
      reported: { n: 1, list: [1, 2], nested: { x: 1, y: 2 }, extra: true },
    });
  });

  it('drops nulls from new objects and deletes keys set to null', () => {
    const { store } = storeWithMessages();
    store.update('dev-1', '', { state: { desired: { a: { b: null, c: 1 }, gone: null } } });
    expect(store.get('dev-1')?.state.desired).toEqual({ a: { c: 1 } });

    store.update('dev-1', '', { state: { desired: { a: { c: null } } } });
    // As in ShadowManager, an emptied nested object stays; only an empty section disappears.
    expect(store.get('dev-1')?.state.desired).toEqual({ a: {} });
    store.update('dev-1', '', { state: { desired: { a: null } } });
    expect(store.get('dev-1')?.state).toEqual({});
    expect(store.get('dev-1')?.version).toBe(3);
  });

  it('sends a delta with the metadata of the differing desired values and the client token', () => {
    const { store, messages } = storeWithMessages();
    store.update('dev-1', 'config', {
      state: { desired: { mode: 'eco', level: 2 }, reported: { level: 2 } },
      clientToken: 'c1',
    });

    expect(messages[0]).toEqual({
      topic: '$aws/things/dev-1/shadow/name/config/update/delta',
      message: {
        state: { mode: 'eco' },
        metadata: { mode: { timestamp: SECONDS } },
        version: 1,
        timestamp: SECONDS,
        clientToken: 'c1',
      },
    });
  });

  it('accepts version 0 or none for a new shadow and refuses any other', () => {
    const { store, messages } = storeWithMessages();
    const rejection = rejectionOf(() => store.update('dev-1', '', { state: { reported: { a: 1 } }, version: 2 }));
    expect(rejection).toMatchObject({ errorCode: 'InvalidArgumentsError', message: 'Invalid version', code: 400 });
    expect(messages).toEqual([
      {
        topic: '$aws/things/dev-1/shadow/update/rejected',
        message: { code: 400, message: 'Invalid version', timestamp: SECONDS },
      },
    ]);

    expect(store.update('dev-1', '', { state: { reported: { a: 1 } }, version: 0 }).version).toBe(1);
    expect(rejectionOf(() => store.update('dev-1', '', { state: { reported: { a: 1 } }, version: 0 }))).toMatchObject({
      errorCode: 'ConflictError',
      message: 'Version conflict',
      code: 409,
    });
  });

  it('refuses a request deeper than 6 levels or larger than 8 KiB', () => {
    const { store } = storeWithMessages();
    // state, desired and the values of a, b, c, d are 6 levels of objects; one more is refused.
    expect(
      rejectionOf(() => store.update('dev-1', '', { state: { desired: { a: { b: { c: { d: { e: { f: 1 } } } } } } } })),
    ).toMatchObject({
      errorCode: 'InvalidArgumentsError',
      message: 'JSON contains too many levels of nesting; maximum is 6',
    });
    expect(store.update('dev-1', '', { state: { desired: { a: { b: { c: { d: { e: 1 } } } } } } }).version).toBe(1);

    expect(
      rejectionOf(() => store.update('dev-1', '', { state: { reported: { big: 'x'.repeat(8 * 1024) } } })),
    ).toMatchObject({ errorCode: 'InvalidArgumentsError', code: 413 });
    expect(store.get('dev-1')?.version).toBe(1);
  });

  it('validates thing and shadow names', () => {
    const { store } = storeWithMessages();
    expect(rejectionOf(() => store.get(''))).toMatchObject({ message: 'ThingName is missing' });
    expect(rejectionOf(() => store.get('dev 1'))).toMatchObject({ errorCode: 'InvalidArgumentsError' });
    expect(rejectionOf(() => store.get('dev-1', 'x'.repeat(65)))).toMatchObject({
      message: 'ShadowName has a maximum length of 64',
    });
  });

  it('hands out copies', () => {
    const { store } = storeWithMessages();
    const desired = { a: [1] };
    store.setDesired('dev-1', '', desired);
    desired.a.push(2);
    const document = store.get('dev-1');
    (document?.state.desired?.a as number[]).push(3);
    expect(store.get('dev-1')?.state.desired).toEqual({ a: [1] });
  });
});
