import type { ConnectionState, MessageHandler, PublishOptions, Qos, Transport, Unsubscribe } from '@ei-gg/core';

/** A transport that accepts every message at once: measures the pipeline without any I/O. */
export class NullTransport implements Transport {
  readonly name = 'stdout' as const;
  readonly state: ConnectionState = 'connected';
  published = 0;

  async connect(): Promise<void> {}
  async publish(_topic: string, _payload: Buffer | string, _options: PublishOptions): Promise<void> {
    this.published++;
  }
  async subscribe(_filter: string, _qos: Qos, _handler: MessageHandler): Promise<Unsubscribe> {
    return async () => undefined;
  }
  onStateChange(): () => void {
    return () => undefined;
  }
  async close(): Promise<void> {}
}
