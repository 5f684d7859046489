import { InferenceRequests } from '../../src/triggers/inference-requests';
import {
  parseInferenceRequest,
  type InferenceRequest,
  type RequestFailure,
} from '../../src/triggers/inference-request';
import { inferenceRequestTopic } from '../../src/triggers/request-topic';
import { deviceTopics } from '../../src/identity/topics';
import type { InferenceMode } from '../../src/triggers/inference-mode';

function queue(limit = 2) {
  const failures: Array<{ id?: string; code: RequestFailure; message: string }> = [];
  const state = { mode: 'triggered' as InferenceMode };
  const requests = new InferenceRequests({
    mode: () => state.mode,
    limit: () => limit,
    fail: (r, code, message) => failures.push({ id: r.id, code, message }),
  });
  return { requests, failures, state };
}
const req = (id: string): InferenceRequest => ({ origin: 'local', id });

describe('InferenceRequests', () => {
  it('hands a request straight to a waiting server, queues up to the limit, refuses beyond it, serves in order', async () => {
    const { requests } = queue(2);
    const stop = new AbortController();
    const first = requests.next(stop.signal);
    expect(requests.submit(req('a'))).toEqual({ queued: true, position: 0 });
    await expect(first).resolves.toEqual(req('a'));
    expect(requests.submit(req('b'))).toEqual({ queued: true, position: 1 });
    expect(requests.submit(req('c'))).toEqual({ queued: true, position: 2 });
    expect(requests.submit(req('d'))).toMatchObject({
      queued: false,
      code: 'QUEUE_FULL',
      message: expect.stringContaining('2 requests already waiting'),
    });
    await expect(requests.next(stop.signal)).resolves.toEqual(req('b'));
    await expect(requests.next(stop.signal)).resolves.toEqual(req('c'));
    expect(requests.waiting).toBe(0);
  });

  it('refuses requests in continuous mode', () => {
    const { requests, state } = queue();
    state.mode = 'continuous';
    expect(requests.submit(req('a'))).toMatchObject({ queued: false, code: 'NOT_TRIGGERED' });
  });

  it('releases a waiting server on abort without losing the next request', async () => {
    const { requests } = queue();
    const stop = new AbortController();
    const waiting = requests.next(stop.signal);
    stop.abort();
    await expect(waiting).resolves.toBeUndefined();
    expect(requests.submit(req('a'))).toEqual({ queued: true, position: 1 });
    await expect(requests.next(new AbortController().signal)).resolves.toEqual(req('a'));
  });

  it('answers every waiting request once when failing them all', () => {
    const { requests, failures } = queue(3);
    requests.submit(req('a'));
    requests.submit(req('b'));
    requests.failPending('STOPPED', 'stopping');
    requests.failPending('STOPPED', 'stopping');
    expect(failures).toEqual([
      { id: 'a', code: 'STOPPED', message: 'stopping' },
      { id: 'b', code: 'STOPPED', message: 'stopping' },
    ]);
  });
});

describe('parseInferenceRequest', () => {
  it('accepts {}, an id, a numeric id, JSON bytes and empty bytes', () => {
    expect(parseInferenceRequest({})).toEqual({ origin: 'local' });
    expect(parseInferenceRequest({ id: 'part-17' })).toEqual({ origin: 'local', id: 'part-17' });
    expect(parseInferenceRequest({ id: 42 })).toEqual({ origin: 'local', id: '42' });
    expect(parseInferenceRequest(Buffer.from('{"id":"x"}'))).toEqual({ origin: 'local', id: 'x' });
    expect(parseInferenceRequest(Buffer.alloc(0))).toEqual({ origin: 'local' });
  });

  it('names what is wrong, keeping a readable id for the answer', () => {
    expect(() => parseInferenceRequest(Buffer.from('nope'))).toThrow(
      'inference request is not valid JSON: expected {} or {"id":"<request id>"}',
    );
    expect(() => parseInferenceRequest({ id: 'k', extra: 1 })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('Unrecognized key'), context: { id: 'k' } }),
    );
    expect(() => parseInferenceRequest({ id: '' })).toThrow(/malformed inference request \(id: /);
    expect(() => parseInferenceRequest(Buffer.alloc(5000, 32))).toThrow(
      'inference request too large: 5000 bytes (at most 4096)',
    );
    expect(() => parseInferenceRequest([] as never)).toThrow(/malformed inference request/);
  });
});

it('derives the request topic beside the inference output topic', () => {
  const topics = deviceTopics('cam_1');
  expect(inferenceRequestTopic('auto', topics)).toBe('/edgeimpulse/device/cam_1/inference/request');
  expect(inferenceRequestTopic('off', topics)).toBeUndefined();
  expect(inferenceRequestTopic('factory/triggers', topics)).toBe('factory/triggers');
});
