import type { ModelInputImage } from '../../src/pipeline/inference-events';
import { PREVIEW_MAX_FPS, PreviewFrames } from '../../src/web/preview/preview-frames';

/** A model input whose JPEG is ready when the test says so, counting how often it was asked for. */
function image(bytes: string) {
  let finish!: (jpeg: Buffer) => void;
  const encoded = new Promise<Buffer>((resolve) => (finish = resolve));
  const asked = { count: 0 };
  const input: ModelInputImage = {
    width: 2,
    height: 2,
    jpeg: () => {
      asked.count++;
      return encoded;
    },
  };
  return { input, asked, finish: () => finish(Buffer.from(bytes)) };
}

function frames(now: { ms: number }) {
  const delivered: Array<{ url: string; result: unknown }> = [];
  let resolveNext: (() => void) | undefined;
  const feed = new PreviewFrames(
    (url, result) => {
      delivered.push({ url, result });
      resolveNext?.();
    },
    (error) => {
      throw error;
    },
    () => now.ms,
  );
  const nextDelivery = () => new Promise<void>((resolve) => (resolveNext = resolve));
  return { feed, delivered, nextDelivery };
}

it('encodes no frame while the previous one is in work: inferences never wait for the page', async () => {
  const now = { ms: 0 };
  const { feed, delivered, nextDelivery } = frames(now);
  const first = image('one');
  const second = image('two');
  feed.offer(first.input, { n: 1 });
  now.ms = 10_000; // long past the rate limit: only the first frame's work holds the second back
  feed.offer(second.input, { n: 2 });
  expect([first.asked.count, second.asked.count]).toEqual([1, 0]);
  const delivery = nextDelivery();
  first.finish();
  await delivery;
  expect(delivered).toEqual([
    { url: `data:image/jpeg;base64,${Buffer.from('one').toString('base64')}`, result: { n: 1 } },
  ]);
});

it(`hands over at most ${PREVIEW_MAX_FPS} frames a second`, async () => {
  const now = { ms: 0 };
  const { feed, delivered, nextDelivery } = frames(now);
  for (const ms of [0, 100, 199, 200, 350, 400]) {
    now.ms = ms;
    const frame = image(String(ms));
    frame.finish();
    const delivery = nextDelivery();
    feed.offer(frame.input, ms);
    if (frame.asked.count > 0) {
      await delivery;
      // Let the `finally` that frees the feed run before the next offer.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  expect(delivered.map((d) => d.result)).toEqual([0, 200, 400]);
});
