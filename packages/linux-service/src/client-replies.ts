import { randomUUID } from 'node:crypto';
import { startedReply, type CommandReply } from '@ei-gg/core';
import type { ClientExit, ClientStart } from './client/client-keeper';

/** `started` after the keeper restarted the client (the host announces the first start and `restart`). */
export function clientRestartedReply(start: ClientStart): CommandReply {
  return startedReply(randomUUID(), Date.now(), { pid: start.pid, restarts: start.restarts });
}

/** `exited`: the client ended on its own; why, and when it starts again. */
export function clientExitedReply(exit: ClientExit): CommandReply {
  return {
    result: {
      status: 'exited',
      ts: Date.now(),
      id: randomUUID(),
      pid: exit.pid,
      code: exit.code,
      signal: exit.signal,
      reason: exit.reason,
      output: exit.output,
      uptime_ms: exit.uptimeMs,
      restart_in_ms: exit.restartInMs,
    },
  };
}
