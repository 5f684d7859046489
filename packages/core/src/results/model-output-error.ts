import { EiGgError, ErrorContext } from '../errors';

/**
 * A model (a `.eim` process or MCU firmware) returned output that does not have the expected shape. Model output
 * is external input: it is validated where it enters, and this error names the offending field so a broken model
 * or firmware build is diagnosed from one log line.
 */
export class ModelOutputError extends EiGgError {
  /** Path of the offending field, e.g. `result.bounding_boxes[2].value`. */
  readonly field: string;
  /** What the field should have been, e.g. `a finite number`. */
  readonly expected: string;

  constructor(
    field: string,
    expected: string,
    got: unknown,
    options: { context?: ErrorContext; cause?: unknown } = {},
  ) {
    const description = describeValue(got);
    super('MODEL_OUTPUT_INVALID', `invalid model output: ${field} should be ${expected}, got ${description}`, {
      ...options,
      context: { ...options.context, field, expected, got: description },
    });
    this.field = field;
    this.expected = expected;
  }
}

/** A short description of a value for messages: never the whole of a large tensor or string. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return `a ${typeof value}`;
}
