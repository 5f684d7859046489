import { z } from 'zod';
import { CommandError } from '../errors';

/** Commands come from the cloud: bounded in size, JSON, and shaped `{"cmd","value"?,"id"?}`. */
export const MAX_COMMAND_BYTES = 16 * 1024;

export interface Command {
  cmd: string;
  value?: unknown;
  /** Echoed in the result so a caller can match answers to requests. */
  id?: string;
}

const commandSchema = z.object({
  cmd: z.string().trim().min(1).max(64),
  value: z.unknown().optional(),
  id: z.union([z.string().max(128), z.number().transform(String)]).optional(),
});

export function parseCommand(raw: Buffer | string): Command {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (size > MAX_COMMAND_BYTES) {
    throw new CommandError(`command too large: ${size} bytes (at most ${MAX_COMMAND_BYTES})`, { context: { size } });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString());
  } catch (cause) {
    throw new CommandError('command is not valid JSON: expected {"cmd":"<verb>","value":...}', { cause });
  }
  const parsed = commandSchema.safeParse(json);
  if (!parsed.success) {
    const cmd = typeof (json as { cmd?: unknown })?.cmd === 'string' ? (json as { cmd: string }).cmd : undefined;
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`).join('; ');
    throw new CommandError(`malformed command (${where}): expected {"cmd":"<verb>","value":...,"id":...}`, {
      context: cmd ? { cmd } : {},
    });
  }
  const { cmd, value, id } = parsed.data;
  return { cmd, ...(value !== undefined ? { value } : {}), ...(id !== undefined ? { id } : {}) };
}
