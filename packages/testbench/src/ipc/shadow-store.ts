import type { LocalPubSub } from './local-pub-sub';
import { isTopicFilter } from './mqtt-topic';

/** JSON as a shadow document holds it. */
export type ShadowJson = null | boolean | number | string | ShadowJson[] | ShadowJsonObject;
export interface ShadowJsonObject {
  [key: string]: ShadowJson;
}

export interface ShadowState {
  desired?: ShadowJsonObject;
  reported?: ShadowJsonObject;
  /** Computed: the desired values that differ from reported. */
  delta?: ShadowJsonObject;
}

/** Per leaf of desired/reported: `{ timestamp }` of its last update. */
export interface ShadowMetadata {
  desired?: ShadowJsonObject;
  reported?: ShadowJsonObject;
}

/** A shadow as GetThingShadow returns it. Every `timestamp` of the shadow service is in epoch seconds. */
export interface ShadowDocument {
  state: ShadowState;
  metadata: ShadowMetadata;
  version: number;
  timestamp: number;
}

/** The UpdateThingShadow response, also sent on /update/accepted: the request's state as sent, its metadata. */
export interface ShadowUpdateAccepted {
  state: ShadowJsonObject;
  metadata: ShadowJsonObject;
  version: number;
  timestamp: number;
  clientToken?: string;
}

export type ShadowOperation = 'get' | 'update' | 'delete';

/** The component the shadow manager's local pub/sub messages come from. */
export const SHADOW_MANAGER = 'aws.greengrass.ShadowManager';

/** ShadowManager's default `shadowDocumentSizeLimitBytes`: desired plus reported, serialized. */
const MAX_DOCUMENT_BYTES = 8 * 1024;
const MAX_STATE_DEPTH = 6;
const NAME_PATTERN = /^[a-zA-Z0-9:_-]+$/;
const HTTP_CODES = {
  InvalidArgumentsError: 400,
  UnauthorizedError: 401,
  ResourceNotFoundError: 404,
  ConflictError: 409,
};

export type ShadowRejectionKind = keyof typeof HTTP_CODES;

/**
 * A refused shadow request. `errorCode` and `message` are the IPC error; `code` and `rejectedMessage` are
 * what ShadowManager publishes on `<prefix>/<operation>/rejected` (they differ, e.g. for a missing shadow).
 */
export class ShadowRejection extends Error {
  override name = 'ShadowRejection';
  readonly code: number;
  readonly rejectedMessage: string;

  constructor(
    readonly errorCode: ShadowRejectionKind,
    message: string,
    rejected: { code?: number; message?: string } = {},
  ) {
    super(message);
    this.code = rejected.code ?? HTTP_CODES[errorCode];
    this.rejectedMessage = rejected.message ?? message;
  }
}

/** `$aws/things/<thing>/shadow`, or `.../shadow/name/<shadow>`: the topic prefix and the policy resource. */
export function shadowTopicPrefix(thingName: string, shadowName = ''): string {
  return shadowName === '' ? `$aws/things/${thingName}/shadow` : `$aws/things/${thingName}/shadow/name/${shadowName}`;
}

interface StoredShadow {
  desired?: ShadowJsonObject;
  reported?: ShadowJsonObject;
  metadata: ShadowMetadata;
  version: number;
}

interface UpdateRequest {
  state: { desired?: ShadowJson; reported?: ShadowJson };
  version?: number;
  clientToken?: string;
}

/**
 * The local shadows of aws.greengrass.ShadowManager, keyed by thing and shadow name ('' is the classic
 * shadow), with its semantics: updates merge, `null` deletes, `version` must match, and every change is
 * published on local pub/sub (update/accepted, update/documents, update/delta; rejections on .../rejected)
 * as binary messages of JSON from `aws.greengrass.ShadowManager`, as the real component sends them.
 * The test acts as the cloud through `setDesired()`/`update()` and reads with `get()`.
 */
export class ShadowStore {
  private readonly shadows = new Map<string, StoredShadow>();

  constructor(
    private readonly pubSub: LocalPubSub,
    private readonly now: () => number = Date.now,
  ) {}

  /** The document with its delta, or undefined; publishes nothing. */
  get(thingName: string, shadowName = ''): ShadowDocument | undefined {
    validateNames(thingName, shadowName);
    const stored = this.shadows.get(key(thingName, shadowName));
    return (
      stored &&
      structuredClone({
        state: defined({ desired: stored.desired, reported: stored.reported, delta: deltaOf(stored) }),
        metadata: defined({ desired: stored.metadata.desired, reported: stored.metadata.reported }),
        version: stored.version,
        timestamp: this.seconds(),
      })
    );
  }

  /** GetThingShadow: the document, also published on /get/accepted. */
  read(thingName: string, shadowName = ''): ShadowDocument {
    return this.handle('get', thingName, shadowName, () => {
      const document = this.get(thingName, shadowName);
      if (document === undefined) throw notFound(shadowName);
      this.publish(thingName, shadowName, 'get/accepted', document);
      return document;
    });
  }

  /**
   * UpdateThingShadow with a request document (`{ state: { desired?, reported? }, version?, clientToken? }`),
   * as JSON bytes or parsed. Publishes update/delta (when desired still differs from reported after it,
   * whichever section it changed), update/documents and update/accepted, in ShadowManager's order.
   */
  update(thingName: string, shadowName: string, request: Buffer | ShadowJsonObject): ShadowUpdateAccepted {
    let clientToken: string | undefined;
    return this.handle(
      'update',
      thingName,
      shadowName,
      () => {
        const document = parsePayload(request);
        clientToken = typeof document.clientToken === 'string' ? document.clientToken : undefined;
        return this.apply(thingName, shadowName, validateUpdate(document));
      },
      () => clientToken,
    );
  }

  /** As the cloud (or an operator) setting desired through the shadow sync: `null` clears all of desired. */
  setDesired(thingName: string, shadowName: string, desired: ShadowJsonObject | null): ShadowUpdateAccepted {
    return this.update(thingName, shadowName, { state: { desired } });
  }

  /** DeleteThingShadow: publishes /delete/accepted with the deleted version. */
  delete(thingName: string, shadowName = ''): { version: number; timestamp: number } {
    return this.handle('delete', thingName, shadowName, () => {
      const stored = this.shadows.get(key(thingName, shadowName));
      if (stored === undefined) throw notFound(shadowName);
      this.shadows.delete(key(thingName, shadowName));
      const accepted = { version: stored.version, timestamp: this.seconds() };
      this.publish(thingName, shadowName, 'delete/accepted', accepted);
      return accepted;
    });
  }

  /** Checks the names as ShadowManager does before anything else (InvalidArgumentsError, published). */
  validate(operation: ShadowOperation, thingName: string, shadowName: string): void {
    this.handle(operation, thingName, shadowName, () => undefined);
  }

  /** Publishes `{ code, message, timestamp, clientToken? }` on `<prefix>/<operation>/rejected`. */
  reject(
    operation: ShadowOperation,
    thingName: string,
    shadowName: string,
    rejection: ShadowRejection,
    clientToken?: string,
  ): void {
    const message = { code: rejection.code, message: rejection.rejectedMessage, timestamp: this.seconds() };
    this.publish(
      thingName,
      shadowName,
      `${operation}/rejected`,
      clientToken === undefined ? message : { ...message, clientToken },
    );
  }

  private handle<T>(
    operation: ShadowOperation,
    thingName: string,
    shadowName: string,
    run: () => T,
    clientToken: () => string | undefined = () => undefined,
  ): T {
    try {
      validateNames(thingName, shadowName);
      return run();
    } catch (error) {
      if (error instanceof ShadowRejection) this.reject(operation, thingName, shadowName, error, clientToken());
      throw error;
    }
  }

  private apply(thingName: string, shadowName: string, request: UpdateRequest): ShadowUpdateAccepted {
    const previous = this.shadows.get(key(thingName, shadowName));
    checkVersion(previous, request.version);
    const timestamp = this.seconds();
    const next: StoredShadow = previous === undefined ? { metadata: {}, version: 0 } : structuredClone(previous);
    for (const section of ['desired', 'reported'] as const) {
      if (!(section in request.state)) continue;
      const patch = request.state[section] as ShadowJsonObject | null;
      // `"desired": null` (or {}) removes the whole section.
      const merged = isNullish(patch) ? undefined : mergeInto(next[section] ?? {}, patch as ShadowJsonObject);
      next[section] = isNullish(merged) ? undefined : merged;
      next.metadata[section] =
        next[section] &&
        mergeMetadata(next[section], next.metadata[section] ?? {}, patch as ShadowJsonObject, timestamp);
    }
    if (byteLength(next.desired) + byteLength(next.reported) > MAX_DOCUMENT_BYTES) {
      throw new ShadowRejection('InvalidArgumentsError', 'The payload exceeds the maximum size allowed', { code: 413 });
    }
    next.version += 1;
    this.shadows.set(key(thingName, shadowName), next);

    const token = request.clientToken === undefined ? {} : { clientToken: request.clientToken };
    const delta = deltaOf(next);
    if (delta !== undefined) {
      const deltaMetadata = metadataOfDelta(delta, next.metadata.desired);
      this.publish(thingName, shadowName, 'update/delta', {
        state: delta,
        metadata: deltaMetadata,
        version: next.version,
        timestamp,
        ...token,
      });
    }
    this.publish(thingName, shadowName, 'update/documents', {
      previous: previous === undefined ? null : snapshot(previous),
      current: snapshot(next),
      timestamp,
      ...token,
    });
    const accepted: ShadowUpdateAccepted = {
      state: request.state,
      metadata: metadataOf(request.state, timestamp) as ShadowJsonObject,
      version: next.version,
      timestamp,
      ...token,
    };
    this.publish(thingName, shadowName, 'update/accepted', accepted);
    return accepted;
  }

  private publish(thingName: string, shadowName: string, suffix: string, message: object): void {
    const topic = `${shadowTopicPrefix(thingName, shadowName)}/${suffix}`;
    // The nucleus refuses to publish on a topic with a wildcard (possible only with invalid names).
    if (isTopicFilter(topic)) return;
    this.pubSub.publish(topic, SHADOW_MANAGER, { binary: Buffer.from(JSON.stringify(message)) });
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

function key(thingName: string, shadowName: string): string {
  return `${thingName}\u0000${shadowName}`;
}

function validateNames(thingName: string, shadowName: string): void {
  if (thingName === '') throw invalid('ThingName is missing');
  checkName('ThingName', thingName, 128);
  if (shadowName !== '') checkName('ShadowName', shadowName, 64);
}

function checkName(what: string, name: string, maxLength: number): void {
  if (name.length > maxLength) throw invalid(`${what} has a maximum length of ${maxLength}`);
  if (!NAME_PATTERN.test(name)) throw invalid(`${what} must match pattern [a-zA-Z0-9:_-]+`);
}

function notFound(shadowName: string): ShadowRejection {
  return new ShadowRejection('ResourceNotFoundError', 'No shadow found', {
    message: `No shadow exists with name: ${shadowName === '' ? 'Unnamed Shadow' : shadowName}`,
  });
}

function invalid(message: string): ShadowRejection {
  return new ShadowRejection('InvalidArgumentsError', message);
}

function parsePayload(request: Buffer | ShadowJsonObject): Record<string, unknown> {
  let document: unknown = request;
  if (Buffer.isBuffer(request)) {
    if (request.length === 0) throw invalid('Missing update payload');
    try {
      document = JSON.parse(request.toString('utf8'));
    } catch (error) {
      throw invalid(`Invalid JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(document) || isNullish(document)) throw invalid('Invalid JSON: the request must be a JSON object');
  return document;
}

/** ShadowManager's request schema: a `state` object with desired and/or reported (objects or null). */
function validateUpdate(document: Record<string, unknown>): UpdateRequest {
  const { state, version, clientToken } = document;
  if (clientToken !== undefined && typeof clientToken !== 'string')
    throw invalid('Invalid JSON: clientToken must be a string');
  if (version !== undefined && (typeof version !== 'number' || version < 0)) {
    throw invalid(`Invalid JSON: version: ${version === null ? 'null' : typeof version} found, number expected`);
  }
  if (!isObject(state)) throw invalid('Invalid JSON: state node must be an object');
  if (!('desired' in state) && !('reported' in state)) throw invalid('Invalid JSON: state needs desired or reported');
  for (const section of ['desired', 'reported'] as const) {
    if (section in state && state[section] !== null && !isObject(state[section])) {
      throw invalid(`Invalid JSON: state.${section} must be an object or null`);
    }
  }
  if (depth(state) > MAX_STATE_DEPTH) throw invalid('JSON contains too many levels of nesting; maximum is 6');
  // A copy, so that a test changing its request object afterwards does not change the shadow.
  return {
    state: structuredClone(state),
    version: version,
    clientToken: clientToken,
  };
}

/** The request's version must be the shadow's current one (0, if given at all, for a new shadow). */
function checkVersion(previous: StoredShadow | undefined, version: number | undefined): void {
  if (version === undefined) return;
  if (previous === undefined) {
    if (version !== 0) throw invalid('Invalid version');
  } else if (version !== previous.version) {
    throw new ShadowRejection('ConflictError', 'Version conflict');
  }
}

/** Recursive merge: null (or {}) deletes a key, objects merge, arrays and values replace. */
function mergeInto(target: ShadowJsonObject, patch: ShadowJsonObject): ShadowJsonObject {
  for (const [field, value] of Object.entries(patch)) {
    const current = target[field];
    if (isNullish(value)) delete target[field];
    else if (isObject(value) && isObject(current) && !isNullish(current)) mergeInto(current, value);
    else if (isObject(value)) {
      const tree = withoutNulls(value);
      if (tree === undefined) delete target[field];
      else target[field] = tree;
    } else target[field] = value;
  }
  return target;
}

function withoutNulls(value: ShadowJsonObject): ShadowJsonObject | undefined {
  const result: ShadowJsonObject = {};
  for (const [field, child] of Object.entries(value)) {
    if (isNullish(child)) continue;
    const kept = isObject(child) ? withoutNulls(child) : child;
    if (kept !== undefined) result[field] = kept;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

function deltaOf(shadow: { desired?: ShadowJsonObject; reported?: ShadowJsonObject }): ShadowJsonObject | undefined {
  if (shadow.desired === undefined) return undefined;
  return shadow.reported === undefined
    ? shadow.desired
    : (diff(shadow.reported, shadow.desired) as ShadowJsonObject | undefined);
}

/** The desired values that differ from reported: objects compared per key, arrays and values whole. */
function diff(reported: ShadowJson, desired: ShadowJson): ShadowJson | undefined {
  if (!isObject(reported) || !isObject(desired)) return jsonEquals(reported, desired) ? undefined : desired;
  const result: ShadowJsonObject = {};
  for (const [field, want] of Object.entries(desired)) {
    const have = reported[field];
    if (isNullish(want)) {
      if (!isNullish(have)) result[field] = null;
    } else if (isNullish(have)) result[field] = want;
    else {
      const changed = diff(have, want);
      if (changed !== undefined) result[field] = changed;
    }
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/** Metadata mirrors the state: `{ timestamp }` per value, arrays element by element. */
function metadataOf(value: ShadowJson, timestamp: number): ShadowJson {
  if (Array.isArray(value)) return value.map((item) => metadataOf(item, timestamp));
  if (isObject(value)) return mapValues(value, (child) => metadataOf(child, timestamp));
  return { timestamp };
}

/** Stamps what the patch touched and drops the metadata of keys the state no longer has. */
function mergeMetadata(
  state: ShadowJsonObject,
  metadata: ShadowJsonObject,
  patch: ShadowJsonObject,
  timestamp: number,
): ShadowJsonObject {
  for (const [field, value] of Object.entries(patch)) {
    const stateValue = state[field];
    const current = metadata[field];
    if (isNullish(stateValue)) delete metadata[field];
    else if (isObject(value) && isObject(stateValue)) {
      const child = isObject(current) && !isLeafMetadata(current) ? current : {};
      metadata[field] = mergeMetadata(stateValue, child, value, timestamp);
    } else metadata[field] = metadataOf(value, timestamp);
  }
  return metadata;
}

function metadataOfDelta(delta: ShadowJson, metadata: ShadowJson | undefined): ShadowJson {
  if (isObject(delta) && isObject(metadata))
    return mapValues(delta, (child, field) => metadataOfDelta(child, metadata[field]));
  if (Array.isArray(delta) && Array.isArray(metadata))
    return delta.map((child, i) => metadataOfDelta(child, metadata[i]));
  return metadata ?? null;
}

function isLeafMetadata(value: ShadowJsonObject): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && typeof value.timestamp === 'number';
}

function snapshot(shadow: StoredShadow): object {
  return {
    state: defined({ desired: shadow.desired, reported: shadow.reported }),
    metadata: defined({ desired: shadow.metadata.desired, reported: shadow.metadata.reported }),
    version: shadow.version,
  };
}

function isObject(value: unknown): value is ShadowJsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ShadowManager's isNullOrMissing: an empty object counts as null. */
function isNullish(value: unknown): boolean {
  return value === null || value === undefined || (isObject(value) && Object.keys(value).length === 0);
}

function jsonEquals(a: ShadowJson, b: ShadowJson): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEquals(item, b[i]))
    );
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((field) => field in b && jsonEquals(a[field], b[field]));
  }
  return a === b;
}

function depth(value: ShadowJson): number {
  if (!Array.isArray(value) && !isObject(value)) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depth));
}

function byteLength(section: ShadowJsonObject | undefined): number {
  return section === undefined ? 0 : Buffer.byteLength(JSON.stringify(section));
}

function mapValues(object: ShadowJsonObject, map: (value: ShadowJson, field: string) => ShadowJson): ShadowJsonObject {
  return Object.fromEntries(Object.entries(object).map(([field, value]) => [field, map(value, field)]));
}

function defined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}
