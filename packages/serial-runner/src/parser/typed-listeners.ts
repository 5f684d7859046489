/**
 * A minimal typed event registry. Not Node's EventEmitter on purpose: an `error` event there throws when nobody
 * listens, and the parser must never throw because of what a board printed.
 */
export type ListenerMap<Events> = { [E in keyof Events]?: Array<(payload: Events[E]) => void> };

export class TypedListeners<Events> {
  private readonly listeners: ListenerMap<Events> = {};

  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): this {
    (this.listeners[event] ??= []).push(listener);
    return this;
  }

  off<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): this {
    const list = this.listeners[event];
    if (list) this.listeners[event] = list.filter((l) => l !== listener);
    return this;
  }

  protected emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    // A copy, so a listener may remove itself while being called.
    for (const listener of [...(this.listeners[event] ?? [])]) listener(payload);
  }
}
