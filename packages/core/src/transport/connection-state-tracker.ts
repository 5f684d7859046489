import type { Logger } from '../logging/logger';
import type { ConnectionState } from './transport';

type StateListener = (state: ConnectionState) => void;

/** A transport's current state and its `onStateChange` listeners; a throwing listener cannot break the transport. */
export class ConnectionStateTracker {
  private current: ConnectionState;
  private readonly listeners = new Set<StateListener>();

  constructor(
    initial: ConnectionState,
    private readonly logger: Logger,
  ) {
    this.current = initial;
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** Moves to `next` and notifies the listeners; repeating the current state notifies no one. */
  set(next: ConnectionState): void {
    if (next === this.current) return;
    this.current = next;
    this.logger.debug('transport state changed', { state: next });
    for (const listener of [...this.listeners]) {
      try {
        listener(next);
      } catch (error) {
        this.logger.error('state listener threw', { error });
      }
    }
  }

  onChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
