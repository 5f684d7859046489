import type { InferenceResult } from '@ei-gg/core';
import type { BoardLink } from './board-link';

/** The one result a triggered cycle waits for. */
export interface Cycle {
  resolve(result: InferenceResult): void;
  reject(error: Error): void;
}

/**
 * Where the board session is; the data of a state lives in it. `attempt` counts failed connections since the
 * board last worked (the back-off exponent).
 *
 * ```
 * stopped ─start─▶ handshaking ─▶ running (continuous: the impulse runs, every result is relayed)
 *                      │      └──▶ ready ⇄ cycling (triggered: the board idles; one AT+RUNIMPULSE per request)
 *                      ▼
 *                 disconnected (waits out the back-off) ─▶ handshaking
 * lost board (unplug, reboot, impulse stopped): handshaking/running/ready/cycling ─▶ disconnected
 * stop(): any ─▶ stopping (the impulse is stopped) ─▶ stopped
 * ```
 */
export type BoardState =
  | { name: 'stopped' }
  /** Opening the port and running the AT handshake; `link` once the port is open. */
  | { name: 'handshaking'; attempt: number; link?: BoardLink }
  | { name: 'running'; link: BoardLink }
  | { name: 'ready'; link: BoardLink }
  | { name: 'cycling'; link: BoardLink; cycle: Cycle }
  | { name: 'disconnected'; attempt: number; retry: NodeJS.Timeout }
  /** Keeps the link until the impulse is stopped, then releases it. */
  | { name: 'stopping'; link?: BoardLink };

export type BoardStateName = BoardState['name'];
export type BoardStateOf<N extends BoardStateName> = Extract<BoardState, { name: N }>;

const NEXT: Record<BoardStateName, readonly BoardStateName[]> = {
  stopped: ['handshaking'],
  handshaking: ['running', 'ready', 'disconnected', 'stopping'],
  running: ['disconnected', 'stopping'],
  ready: ['cycling', 'disconnected', 'stopping'],
  cycling: ['ready', 'disconnected', 'stopping'],
  disconnected: ['handshaking', 'stopping'],
  stopping: ['stopped'],
};

/** Whether the machine above has the transition `from` → `to`. */
export function isTransition(from: BoardStateName, to: BoardStateName): boolean {
  return NEXT[from].includes(to);
}

/** The link a state holds, if any. */
export function linkOf(state: BoardState): BoardLink | undefined {
  return 'link' in state ? state.link : undefined;
}
