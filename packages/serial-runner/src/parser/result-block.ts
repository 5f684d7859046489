import type { BoundingBox, InferenceResult, InferenceTiming, TrackedObject } from '@ei-gg/core';
import type { ResultLine, Section } from './result-lines';

type ContentLine = Exclude<ResultLine, { kind: 'invalid' }>;

/**
 * The lines of one result, from its timing line to whatever completes it. A header alone is content (an object
 * detection header with no boxes means "no objects"); a timing line alone is not.
 */
export class ResultBlock {
  private section: Section | undefined;
  private hasContent = false;
  private classification: Map<string, number> | undefined;
  private boxes: BoundingBox[] | undefined;
  private tracking: TrackedObject[] | undefined;
  private grid: BoundingBox[] | undefined;
  private freeform: number[][] | undefined;
  private anomaly: number | undefined;
  private visualAnomalyMean: number | undefined;
  private visualAnomalyMax: number | undefined;

  constructor(private readonly timing: InferenceTiming) {}

  add(line: ContentLine): void {
    switch (line.kind) {
      case 'header':
        this.openSection(line.section);
        if (line.value !== undefined) this.setRegression(line.value);
        break;
      case 'box': {
        const { kind: _kind, ...box } = line;
        if (this.section === 'grid') this.grid!.push(box);
        else (this.boxes ??= []).push(box);
        break;
      }
      case 'tracked': {
        const { kind: _kind, ...tracked } = line;
        (this.tracking ??= []).push(tracked);
        break;
      }
      case 'noObjects':
        if (this.section === 'tracking') this.tracking ??= [];
        else if (this.section === 'grid') this.grid ??= [];
        else this.boxes ??= [];
        break;
      case 'score':
        if (this.section === 'regression') this.setRegression(line.value);
        else if (this.section !== 'freeform') (this.classification ??= new Map()).set(line.label, line.value);
        break;
      case 'anomaly':
        this.anomaly = line.value;
        break;
      case 'visualSummary':
        this.grid ??= [];
        this.visualAnomalyMean = line.mean;
        this.visualAnomalyMax = line.max;
        break;
      case 'numbers':
        // A bare row of numbers means something only as a freeform output tensor.
        if (this.section !== 'freeform') return;
        this.freeform!.push(line.values);
        break;
    }
    this.hasContent = true;
  }

  /** The finished result, or `undefined` when nothing but the timing line arrived. */
  toResult(): InferenceResult | undefined {
    if (!this.hasContent) return undefined;
    const result: InferenceResult = { timing: { ...this.timing } };
    // fromEntries, not assignment: a label such as `__proto__` must stay an ordinary key.
    if (this.classification) result.classification = Object.fromEntries(this.classification);
    if (this.boxes) result.boxes = this.boxes;
    if (this.tracking) result.tracking = this.tracking;
    if (this.grid) result.grid = this.grid;
    if (this.freeform) result.freeform = this.freeform;
    if (this.anomaly !== undefined) result.anomaly = this.anomaly;
    if (this.visualAnomalyMean !== undefined) result.visualAnomalyMean = this.visualAnomalyMean;
    if (this.visualAnomalyMax !== undefined) result.visualAnomalyMax = this.visualAnomalyMax;
    return result;
  }

  private openSection(section: Section): void {
    this.section = section;
    if (section === 'classification') this.classification ??= new Map();
    else if (section === 'boxes') this.boxes ??= [];
    else if (section === 'tracking') this.tracking ??= [];
    else if (section === 'grid') this.grid ??= [];
    else if (section === 'freeform') this.freeform ??= [];
  }

  /** Regression is reported as classification with the single label `value`, as edge-impulse-linux does. */
  private setRegression(value: number): void {
    this.classification = new Map([['value', value]]);
  }
}
