import type { ModelInformation } from 'edge-impulse-linux';
import sharp from 'sharp';
import { OriginalResolution, scaleBox } from '../../src/web/preview/original-resolution';

function model(resizeMode: 'squash' | 'fit-shortest' | 'fit-longest'): ModelInformation {
  return {
    project: { deploy_version: 1, id: 1, name: 'p', owner: 'o' },
    modelParameters: { image_input_width: 64, image_input_height: 64, image_resize_mode: resizeMode },
  } as unknown as ModelInformation;
}

const whole = { label: 'a', value: 0.9, x: 0, y: 0, width: 64, height: 64 };

it("maps boxes back into the captured frame's pixels, undoing the model's resize mode", () => {
  const frame = { width: 160, height: 120 };
  expect(scaleBox(whole, model('squash'), frame)).toEqual({ x: 0, y: 0, width: 160, height: 120 });
  // The centre 120x120 was cropped and scaled down: the model's whole input is that square.
  expect(scaleBox(whole, model('fit-shortest'), frame)).toEqual({ x: 20, y: 0, width: 120, height: 120 });
  // The frame was padded to a square: the model's whole input is the whole frame (the padding cut off).
  expect(scaleBox(whole, model('fit-longest'), frame)).toEqual({ x: 0, y: 0, width: 160, height: 120 });
  const centre = { ...whole, x: 16, y: 16, width: 32, height: 32 };
  expect(scaleBox(centre, model('fit-longest'), frame)).toEqual({ x: 40, y: 20, width: 80, height: 80 });
});

it('sends the frame as captured (a PNG as JPEG) and, once its size is known, results in its pixels', async () => {
  const png = await sharp({ create: { width: 128, height: 96, channels: 3, background: { r: 9, g: 9, b: 9 } } })
    .png()
    .toBuffer();
  const original = new OriginalResolution();
  const result = { bounding_boxes: [{ ...whole, width: 32, height: 32 }] };
  // Before the first frame's size is read: as the model gave it.
  expect(original.map(result, model('squash'), undefined)).toEqual(result);
  const jpeg = await original.image({ data: png, name: 'f' }).jpeg();
  expect(await sharp(jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 128, height: 96 });
  expect(original.map(result, model('squash'), undefined)).toEqual({
    bounding_boxes: [{ label: 'a', value: 0.9, x: 0, y: 0, width: 64, height: 48 }],
  });
});
