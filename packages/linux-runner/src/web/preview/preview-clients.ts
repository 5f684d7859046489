import { RepeatedErrorLog, type Logger } from '@ei-gg/core';
import WebSocket from 'ws';
import type { InferenceEvent, InferenceEvents } from '../../pipeline/inference-events';
import type { ModelSession } from '../../model/model-session';
import type { OriginalResolution } from './original-resolution';
import { PreviewFrames } from './preview-frames';
import {
  messageText,
  parsePreviewMessage,
  previewAnswer,
  PreviewMessageError,
  previewRequest,
  type PreviewRequest,
} from './preview-messages';

/**
 * A client with more than this waiting in its socket gets no more messages until it caught up: a slow browser
 * loses results and frames, the runner never queues for it.
 */
export const MAX_BUFFERED_BYTES = 1 << 20;
const FRAME_ENCODING = 'preview frame encoding';
const SLOW_CLIENT = 'preview delivery';

/**
 * The preview's WebSocket clients: each gets `hello`, then a `classification` per inference, and `camera-preview`
 * frames while it asks for them. The runner's inference events are followed only while a client is connected,
 * frames are encoded only while one wants them (see PreviewFrames).
 */
export class PreviewClients {
  private readonly clients = new Set<WebSocket>();
  private readonly watching = new Set<WebSocket>();
  private readonly frames: PreviewFrames;
  private unsubscribe: (() => void) | undefined;
  /** Frames that cannot be encoded, clients too slow to take more: logged once, then counted. */
  private readonly faults: RepeatedErrorLog;

  constructor(
    private readonly events: InferenceEvents,
    private readonly model: () => ModelSession | undefined,
    private readonly logger: Logger,
    /** Set: frames as captured and results in their pixels (`--preview-original-resolution`). */
    private readonly original?: OriginalResolution,
  ) {
    this.faults = new RepeatedErrorLog({ logger, level: 'warn' });
    this.frames = new PreviewFrames(
      (image, result) => {
        this.faults.succeeded(FRAME_ENCODING);
        // `result` (beyond the original's fields) lets a page draw the boxes on the frame they were found in.
        this.send(this.watching, JSON.stringify({ type: 'camera-preview', image, result }));
      },
      (error) => this.faults.failed(FRAME_ENCODING, error),
    );
  }

  add(socket: WebSocket): void {
    this.clients.add(socket);
    this.unsubscribe ??= this.events.subscribe((event) => this.inference(event));
    socket.on('message', (data: WebSocket.RawData | string, isBinary?: boolean) => {
      // ws 7 (the one installed) hands text frames over as strings; ws 8 as Buffers with isBinary false.
      const binary = isBinary ?? typeof data !== 'string';
      if (binary) return socket.send(previewAnswer('', undefined, 'Can only handle text messages (JSON)'));
      void this.handle(socket, messageText(data));
    });
    socket.on('close', () => this.remove(socket));
    socket.on('error', () => socket.terminate());
    socket.send(JSON.stringify(this.hello()));
  }

  /** Closes every client (going away); the pipeline stops or restarts. */
  close(): void {
    for (const socket of this.clients) socket.close(1001, 'the runner is stopping or restarting');
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.faults.close();
  }

  private remove(socket: WebSocket): void {
    this.clients.delete(socket);
    this.watching.delete(socket);
    if (this.clients.size === 0) {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
    }
  }

  /** The model's information as the original's hello sends it, with the thresholds it has now. */
  private hello(): Record<string, unknown> {
    const session = this.model();
    if (!session) return { type: 'hello' };
    return {
      type: 'hello',
      ...session.info,
      modelParameters: { ...session.info.modelParameters, thresholds: session.thresholds },
    };
  }

  private inference({ response, timeMs, image, frame }: InferenceEvent): void {
    const session = this.model();
    const result = this.original && session ? this.original.map(response.result, session.info, frame) : response.result;
    const message = JSON.stringify({ type: 'classification', result, timeMs, additionalInfo: response.info });
    this.send(this.clients, message);
    if (this.watching.size === 0) return;
    const shown = this.original && frame ? this.original.image(frame) : image;
    if (shown) this.frames.offer(shown, result);
  }

  private send(sockets: ReadonlySet<WebSocket>, message: string): void {
    for (const socket of sockets) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.faults.failed(SLOW_CLIENT, new Error('a preview client takes its messages too slowly: some are dropped'));
        continue;
      }
      this.faults.succeeded(SLOW_CLIENT);
      socket.send(message);
    }
  }

  private async handle(socket: WebSocket, text: string): Promise<void> {
    let messageId: unknown;
    try {
      const fields = parsePreviewMessage(text);
      messageId = fields.messageId;
      await this.apply(socket, previewRequest(fields));
      socket.send(previewAnswer(text, messageId));
    } catch (err) {
      if (!(err instanceof PreviewMessageError)) this.logger.warn('a preview request failed', { err });
      socket.send(previewAnswer(text, messageId, (err as Error).message));
    }
  }

  private async apply(socket: WebSocket, request: PreviewRequest): Promise<void> {
    if (request.type !== 'threshold-override') {
      if (request.enabled) this.watching.add(socket);
      else this.watching.delete(socket);
      return;
    }
    const { id, key, value } = request;
    const session = this.model();
    try {
      if (!session) throw new Error('the model is restarting; try again in a moment');
      await session.setThreshold(id, key, value);
      this.logger.info('learn block threshold set from the preview', { blockId: id, key, value });
    } catch (err) {
      throw new PreviewMessageError(`Failed to set threshold "${key}" (block ID: ${id}): ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}
