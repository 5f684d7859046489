import type { InferenceResult } from '@ei-gg/core';
import { cleanLine } from './clean-line';
import { DeviceLine, parseDeviceLine } from './device-lines';
import { InferencingSettings, SettingsCollector } from './inferencing-settings';
import { DEFAULT_MAX_LINE_LENGTH, LineSplitter } from './line-splitter';
import { ResultBlock } from './result-block';
import { parseResultLine } from './result-lines';
import { parseTimingLine } from './timing-line';
import { TypedListeners } from './typed-listeners';

export interface SerialParserError {
  /** `firmware`: an `ERR:` line; `allocation`: a memory allocation failure; `line-too-long`: input dropped. */
  kind: 'firmware' | 'allocation' | 'line-too-long';
  message: string;
  line?: string;
}

export interface SerialParserEvents {
  /** One complete result, timing in ms. */
  result: InferenceResult;
  /** The AT server printed `> ` and waits for a command. */
  prompt: undefined;
  error: SerialParserError;
  /** A boot banner: the board restarted and forgot everything (reported once per boot, see boot-banner.ts). */
  /** `discardedResult`: the block open when the banner came was cut short, and dropped (see the class). */
  reboot: { line: string; discardedResult: boolean };
  /** `Inferencing stopped by user`. */
  stopped: undefined;
  /** The AT server did not understand a command. */
  invalidCommand: { command: string; line: string };
  settings: InferencingSettings;
  /** A result line with a value that is not a finite number (`nan`, `-nan`, `inf`); it is left out. */
  invalidLine: { line: string; reason: string };
  /** Every non-empty line, cleaned of control codes and trimmed (for AT command answers and debug logs). */
  line: string;
}

export interface SerialResultParserOptions {
  maxLineLength?: number;
}

/**
 * Marks where a new line must begin even when the board printed no newline before it (output glued to the
 * previous line). Only strings that open a line in every firmware era are listed.
 */
const GLUED_LINE_STARTS =
  /(?=Predictions \(DSP:|Timing: DSP |#(?:Classification|Regression|Object|Visual|Freeform)|(?:Starting|Finished) inferencing|Inferencing (?:stopped by user|settings:)|Anomaly prediction:|Visual anomaly (?:values|mean)|ERR: )/;

/**
 * Turns the byte stream of Edge Impulse firmware into events. Feed it whatever the port delivers with
 * `push(chunk)`, and call `flush()` when the port has been quiet for a while (the caller owns that timer).
 *
 * A result block opens at a timing line and is complete at the next timing line, a `Starting inferencing` or
 * `Finished inferencing` line, a prompt, `Inferencing stopped by user`, `Inferencing settings:`, a Syntiant
 * `Match:` line, a boot banner or `flush()`. A board that reboots while printing a block cuts it short; a
 * classification missing labels the previous results had is then dropped rather than published as a whole one
 * (other kinds of results carry no such check: a list of boxes has no fixed length). Lines outside an open block
 * are never read as results (so `Key: value` answers to AT commands are not mistaken for scores). Nothing fed to
 * it makes it throw; memory stays bounded by the line limit. Exceptions thrown by listeners propagate to the
 * caller of `push`/`flush`.
 */
export class SerialResultParser extends TypedListeners<SerialParserEvents> {
  private readonly splitter: LineSplitter;
  private readonly maxLineLength: number;
  private block: ResultBlock | undefined;
  private settings: SettingsCollector | undefined;
  /** A boot prints several banner lines; one reboot is reported until the board shows life again. */
  private rebootReported = false;
  /** The labels of the last classification published, to tell a block a reboot cut short. */
  private lastLabels: string | undefined;

  constructor(options: SerialResultParserOptions = {}) {
    super();
    this.maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.splitter = new LineSplitter(
      {
        line: (text) => this.onLine(text),
        prompt: () => this.onPrompt(),
        overflow: (length) =>
          this.emit('error', {
            kind: 'line-too-long',
            message: `dropped ${length} characters without a line end (limit ${this.maxLineLength})`,
          }),
      },
      this.maxLineLength,
    );
  }

  push(chunk: Buffer | Uint8Array | string): void {
    this.splitter.push(chunk);
  }

  /** The quiet gap: the pending partial line is a line, and an open result or settings block is complete. */
  flush(): void {
    this.splitter.flush();
    this.completeBlock();
  }

  /** Forgets everything pending, e.g. after the port was reopened. */
  reset(): void {
    this.splitter.reset();
    this.block = undefined;
    this.settings = undefined;
    this.rebootReported = false;
    this.lastLabels = undefined;
  }

  private onPrompt(): void {
    this.completeBlock();
    this.rebootReported = false;
    this.emit('prompt', undefined);
  }

  private onLine(raw: string): void {
    const line = cleanLine(raw).trim();
    if (!line) return;
    this.emit('line', line);
    for (const piece of line.split(GLUED_LINE_STARTS)) this.onPiece(piece.trim());
  }

  private onPiece(line: string): void {
    if (!line) return;
    const device = parseDeviceLine(line);
    if (device) return this.onDeviceLine(device, line);

    const timing = parseTimingLine(line);
    if (timing) {
      this.completeBlock();
      if (timing.kind === 'invalid') return this.emit('invalidLine', { line, reason: timing.reason });
      this.block = new ResultBlock(timing.timing);
      this.rebootReported = false;
      return this.onPiece(timing.rest);
    }

    if (this.settings) {
      if (!this.settings.add(line)) this.completeBlock();
      return;
    }
    if (!this.block) return;
    const parsed = parseResultLine(line);
    if (parsed?.kind === 'invalid') this.emit('invalidLine', { line, reason: parsed.reason });
    else if (parsed) this.block.add(parsed);
  }

  private onDeviceLine(device: DeviceLine, line: string): void {
    switch (device.kind) {
      case 'banner': {
        const discardedResult = this.completeBlock(true);
        if (!this.rebootReported) {
          this.rebootReported = true;
          this.emit('reboot', { line, discardedResult });
        }
        return;
      }
      case 'runBoundary':
        this.completeBlock();
        return;
      case 'stopped':
        this.completeBlock();
        return this.emit('stopped', undefined);
      case 'invalidCommand':
        return this.emit('invalidCommand', { command: device.command, line });
      case 'firmwareError':
        return this.emit('error', { kind: 'firmware', message: device.message, line });
      case 'allocationError':
        return this.emit('error', { kind: 'allocation', message: line, line });
      case 'settingsStart':
        this.completeBlock();
        this.settings = new SettingsCollector();
        return;
      case 'match':
        this.completeBlock();
        this.rebootReported = false;
        return this.emit('result', {
          classification: { [device.label]: 1 },
          timing: { dspMs: 0, classificationMs: 0, anomalyMs: 0 },
        });
    }
  }

  /**
   * Ends whatever block is open: emits a result with content, or the settings collected. `cutShort`: the board
   * rebooted, so a classification missing labels is dropped; returns whether one was.
   */
  private completeBlock(cutShort = false): boolean {
    const block = this.block;
    const settings = this.settings;
    this.block = undefined;
    this.settings = undefined;
    if (settings) this.emit('settings', settings.result());
    const result = block?.toResult();
    if (!result) return false;
    const labels = result.classification && Object.keys(result.classification).sort().join('\n');
    if (cutShort && labels !== undefined && this.lastLabels !== undefined && labels !== this.lastLabels) return true;
    if (labels !== undefined) this.lastLabels = labels;
    this.rebootReported = false;
    this.emit('result', result);
    return false;
  }
}
