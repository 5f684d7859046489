import { z } from 'zod';
import { TriggerError } from '../errors';

/** One request for an inference in triggered mode, from a component on the device or from the cloud. */
export interface InferenceRequest {
  /** The requester's id, echoed as `request_id` in the result (or the error) that answers it. */
  id?: string;
  /** `local`: the local request topic (answered on local pub/sub); `command`: the `infer` command. */
  origin: 'local' | 'command';
}

/** Why a request was answered with an error instead of a result. */
export type RequestFailure =
  'QUEUE_FULL' | 'NOT_TRIGGERED' | 'INVALID_REQUEST' | 'INFERENCE_FAILED' | 'INPUT_ENDED' | 'STOPPED';

export const MAX_REQUEST_BYTES = 4096;

const requestSchema = z.strictObject({
  id: z.union([z.string().min(1).max(128), z.number().transform(String)]).optional(),
});

/**
 * A message on the local request topic: `{}` or `{"id":"<up to 128 characters>"}`, as JSON or JSON bytes.
 * Throws a TriggerError naming what is wrong, carrying the id when one could be read (so the error can echo it).
 */
export function parseInferenceRequest(message: Record<string, unknown> | Buffer): InferenceRequest {
  let json: unknown = message;
  if (Buffer.isBuffer(message)) {
    if (message.length > MAX_REQUEST_BYTES) {
      throw new TriggerError(`inference request too large: ${message.length} bytes (at most ${MAX_REQUEST_BYTES})`);
    }
    try {
      json = message.length ? JSON.parse(message.toString('utf8')) : {};
    } catch (cause) {
      throw new TriggerError('inference request is not valid JSON: expected {} or {"id":"<request id>"}', { cause });
    }
  }
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) {
    const raw = (json as { id?: unknown } | null)?.id;
    const id = typeof raw === 'string' && raw.length <= 128 ? raw : undefined;
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
    throw new TriggerError(`malformed inference request (${where}): expected {} or {"id":"<request id>"}`, {
      context: id ? { id } : {},
    });
  }
  return { origin: 'local', ...(parsed.data.id !== undefined ? { id: parsed.data.id } : {}) };
}
