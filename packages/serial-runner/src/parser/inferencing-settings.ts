/** The `Inferencing settings:` block firmware prints when a run starts. */
export interface InferencingSettings {
  /** `Interval`, `Frame size`, `Sample length`, `No. of classes`, ... as printed (values keep their units). */
  entries: Record<string, string>;
  /** Class names, when the firmware lists them under `Classes:` (Syntiant). */
  classes: string[];
}

/** More lines than any firmware prints; a block that never ends cannot grow memory. */
const MAX_LINES = 64;

/** Collects settings lines; they may be one per line or several on one line joined by tabs. */
export class SettingsCollector {
  private readonly entries = new Map<string, string>();
  private readonly classes: string[] = [];
  private inClasses = false;
  private lines = 0;

  /** Returns false once the block is implausibly long (the caller then ends it). */
  add(line: string): boolean {
    for (const piece of line
      .split('\t')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const entry = /^([^:]+):\s*(.*)$/.exec(piece);
      if (!entry) {
        if (this.inClasses) this.classes.push(piece);
        continue;
      }
      const [, key, value] = entry;
      this.inClasses = key === 'Classes' && value === '';
      if (!this.inClasses) this.entries.set(key.trim(), value);
    }
    return ++this.lines < MAX_LINES;
  }

  result(): InferencingSettings {
    return { entries: Object.fromEntries(this.entries), classes: [...this.classes] };
  }
}
