/* eslint-disable no-control-regex -- matching control bytes is what these expressions are for */
/** ANSI escape sequences: CSI (`ESC [ ... letter`), OSC (`ESC ] ... BEL|ST`) and two-byte escapes. */
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?/g;
/** Remaining control characters; tab stays because firmware indents and separates with it. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;
/* eslint-enable no-control-regex */

/** Removes colour codes, cursor movement and stray control bytes, then trailing whitespace. */
export function cleanLine(raw: string): string {
  return raw.replace(ANSI, '').replace(CONTROL, '').trimEnd();
}
