import type { IncomingMessage } from 'node:http';
import { MIB } from '@ei-gg/core';
import { ImageClassifier, type ModelInformation } from 'edge-impulse-linux';
import { HttpApiError } from '../../errors';
import type { ClassifyResponse, ModelSession } from '../../model/model-session';
import { readBody } from './body-limit';
import type { AtModel } from './api-queue';
import { featuresAnswer, imageAnswer, infoAnswer, type ResizedImage } from './original-answers';
import { readImageUpload } from './read-image-upload';

/** An image upload's limit: a 12 MP JPEG is about 5 MiB. */
export const IMAGE_LIMIT = 10 * MIB;
/** The features body's limit: at least this, more for models with many features (see featuresLimit). */
const FEATURES_MIN_LIMIT = MIB;
/** Bytes per feature in JSON, generously: an RGB pixel is up to "16777215, " (10). */
const BYTES_PER_FEATURE = 24;

/** What a route may use: the model running now (undefined while it restarts) and its turn at it. */
export interface RouteContext {
  model(): ModelSession | undefined;
  /** The model information of the last model that ran (stable across restarts of the same model file). */
  info(): ModelInformation;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Whether it uses the model, and so waits in the API queue. */
  classifies: boolean;
  handle(request: IncomingMessage, context: RouteContext, atModel: AtModel): Promise<string>;
}

export const ROUTES: Record<string, Route> = {
  '/api/info': { method: 'GET', classifies: false, handle: async (_request, context) => infoAnswer(context.info()) },
  '/api/features': { method: 'POST', classifies: true, handle: classifyFeatures },
  '/api/image': { method: 'POST', classifies: true, handle: classifyImage },
};

/** "GET /api/info, POST /api/features, POST /api/image": for the 404's message. */
export const ROUTE_LIST = Object.entries(ROUTES)
  .map(([path, route]) => `${route.method} ${path}`)
  .join(', ');

export function featuresLimit(info: ModelInformation): number {
  return Math.max(FEATURES_MIN_LIMIT, info.modelParameters.input_features_count * BYTES_PER_FEATURE);
}

async function classifyFeatures(request: IncomingMessage, context: RouteContext, atModel: AtModel): Promise<string> {
  const body = await readBody(request, 'the features body', featuresLimit(context.info()));
  const features = parseFeatures(body, context.info().modelParameters.input_features_count);
  const { session, response } = await atModel(() => classify(context, features));
  return featuresAnswer(response, session.thresholds);
}

async function classifyImage(request: IncomingMessage, context: RouteContext, atModel: AtModel): Promise<string> {
  const info = context.info();
  if (info.modelParameters.sensorType !== 'camera')
    throw new HttpApiError(
      'BAD_REQUEST',
      `this model's sensor is ${info.modelParameters.sensorType}, not a camera: send its ${info.modelParameters.input_features_count} features to POST /api/features`,
    );
  const upload = await readImageUpload(request, IMAGE_LIMIT);
  let resized: ResizedImage;
  try {
    resized = await ImageClassifier.resizeImage(info, upload.data);
  } catch (err) {
    throw new HttpApiError(
      'BAD_REQUEST',
      `the image ${upload.filename ?? '"file"'} cannot be decoded (${(err as Error).message}): send a JPEG, PNG, WebP, GIF or TIFF image`,
      { cause: err, context: { filename: upload.filename, bytes: upload.data.length } },
    );
  }
  const { image_input_width: width, image_input_height: height, image_resize_mode: mode } = info.modelParameters;
  // Without resizing the model gets the image as it is (the original reconfigures a model with dynamic input size
  // for it; ModelSession does not); any other size would be the wrong number of features.
  if (mode === 'none' && (resized.originalWidth !== width || resized.originalHeight !== height))
    throw new HttpApiError(
      'BAD_REQUEST',
      `the image is ${resized.originalWidth}x${resized.originalHeight}; this model (image_resize_mode none) takes ${width}x${height} images only`,
    );
  const { session, response } = await atModel(() => classify(context, resized.features));
  return imageAnswer(response, session.thresholds, session.info, resized);
}

/** `{"features": [numbers]}` (or decimal strings) with exactly the model's `input_features_count` of them. */
export function parseFeatures(body: Buffer, expected: number): number[] {
  const usage = `send {"features": [${expected} numbers]} with Content-Type: application/json`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HttpApiError('BAD_REQUEST', `the body is not JSON (${(err as Error).message}): ${usage}`, {
      cause: err,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('features' in parsed))
    throw new HttpApiError('BAD_REQUEST', `missing "features" in the body: ${usage}`);
  const { features } = parsed;
  if (!Array.isArray(features))
    throw new HttpApiError('BAD_REQUEST', `"features" is ${briefly(features)}, not an array: ${usage}`);
  const values = features.map(asFeature);
  const bad = values.findIndex((value) => value === undefined);
  if (bad >= 0)
    throw new HttpApiError(
      'BAD_REQUEST',
      `"features"[${bad}] is ${briefly(features[bad])}, not a finite number: ${usage}`,
      { context: { index: bad } },
    );
  if (features.length !== expected)
    throw new HttpApiError(
      'BAD_REQUEST',
      `expected ${expected} features (input_features_count of this model), but received ${features.length}`,
      { context: { expected, received: features.length } },
    );
  return values.filter((value) => value !== undefined);
}

/** A decimal number written as a string, as clients of the original (which took any `Number(n)`) send. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** A feature as a number: a finite JSON number, or a string holding a decimal one; anything else undefined. */
function asFeature(value: unknown): number | undefined {
  const number = typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

/** A value sent, for a message: at most 40 characters of its JSON. */
function briefly(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

/** The model's answer, from the model running when the request's turn came (answers are formatted after it). */
async function classify(
  context: RouteContext,
  features: number[],
): Promise<{ session: ModelSession; response: ClassifyResponse }> {
  const session = context.model();
  if (!session) throw new HttpApiError('MODEL_RESTARTING', 'the model is restarting after a failure: retry shortly');
  return { session, response: await session.classify(features) };
}
