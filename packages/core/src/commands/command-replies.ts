/** Shapes published on `command/output`, exactly as the original components publish them. */
export interface CommandReply {
  result: Record<string, unknown>;
}

export function errorReply(message: string, cmd?: string, id?: string): CommandReply {
  return { result: { error: message, ...(cmd !== undefined ? { cmd } : {}), ...(id !== undefined ? { id } : {}) } };
}

/** Published at start and after every pipeline restart. */
export function startedReply(id: string, ts: number, extra: Record<string, unknown> = {}): CommandReply {
  return { result: { status: 'started', ts, id, ...extra } };
}
