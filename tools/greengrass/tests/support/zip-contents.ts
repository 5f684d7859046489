import { readZipEntries } from '../../src/recipe-runner/read-zip';

export interface ZipFileHead {
  path: string;
  /** The first bytes of the file (enough for an ELF header). */
  head: Buffer;
}

/** Every file of a zip with its first `headBytes` bytes. */
export async function zipFileHeads(zipPath: string, headBytes = 20): Promise<ZipFileHead[]> {
  const heads: ZipFileHead[] = [];
  for await (const entry of readZipEntries(zipPath)) {
    const stream = await entry.open();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      if (Buffer.concat(chunks).length >= headBytes) break;
    }
    stream.destroy();
    heads.push({ path: entry.path, head: Buffer.concat(chunks).subarray(0, headBytes) });
  }
  return heads;
}

/** ELF `e_machine` (62 x86-64, 183 AArch64, 40 ARM), or undefined for a file that is not ELF. */
export function elfMachine(head: Buffer): number | undefined {
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  return head[5] === 1 ? head.readUInt16LE(18) : head.readUInt16BE(18);
}
