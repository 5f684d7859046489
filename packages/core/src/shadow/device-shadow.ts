import type { ComponentKind } from '../component-kind';
import type { LiveConfiguration } from '../config/live-configuration';
import type { GreengrassRuntime } from '../greengrass/greengrass-runtime';
import { NucleusUnsupportedError } from '../errors';
import { shadowUnsupportedReason } from '../greengrass/nucleus';
import type { Logger } from '../logging/logger';
import { validateDesired, type DesiredSettings } from './shadow-settings';
import { shadowTopic, type ShadowAddress } from './shadow-topics';

export interface DeviceShadowOptions<K extends ComponentKind> {
  kind: K;
  runtime: GreengrassRuntime;
  address: ShadowAddress;
  config: LiveConfiguration<K>;
  /** What `reported` carries besides the rejections: effective settings, versions, model, last error. */
  reported: () => Record<string, unknown>;
  logger: Logger;
}

/**
 * The operator's live control through a named shadow (aws.greengrass.ShadowManager, synchronised with IoT
 * Core): `desired` settings are validated like configuration and applied on top of it; `reported` says
 * what is in effect and which desired values were rejected and why. Follows `update/documents` rather than
 * `update/delta` so that a desired key removed by the operator is noticed too (it gives the deployment's value back).
 */
export class DeviceShadow<K extends ComponentKind> {
  private unsubscribe: (() => Promise<void>) | undefined;
  private lastDesired: string | undefined;
  private lastReported: string | undefined;
  private rejected: DesiredSettings<K>['rejected'] = {};
  private applied: DesiredSettings<K>['values'] = {};
  private reporting: Promise<void> = Promise.resolve();

  constructor(private readonly options: DeviceShadowOptions<K>) {}

  get rejections(): DesiredSettings<K>['rejected'] {
    return this.rejected;
  }

  /**
   * Follows the shadow's changes, applies what is desired now and reports. Fails with NucleusUnsupportedError,
   * saying why, on Nucleus Lite (known from the start, or from its answer) or a nucleus without ShadowManager.
   */
  async start(): Promise<void> {
    const { runtime, address, logger } = this.options;
    const unsupported = shadowUnsupportedReason(runtime.nucleus);
    if (unsupported !== undefined) throw new NucleusUnsupportedError(unsupported, { context: { ...address } });
    this.unsubscribe = await runtime.subscribeToTopic(shadowTopic(address, 'update/documents'), (message) => {
      try {
        // ShadowManager publishes JSON bytes (a binary message).
        const documents = (Buffer.isBuffer(message) ? JSON.parse(message.toString('utf8')) : message) as {
          current?: { state?: { desired?: unknown } };
        };
        this.applyDesired(documents.current?.state?.desired);
      } catch (err) {
        logger.warn('ignoring an unreadable shadow update', { err });
      }
    });
    const document = (await runtime.getThingShadow(address.thingName, address.shadowName)) as
      { state?: { desired?: unknown } } | undefined;
    this.applyDesired(document?.state?.desired);
    await this.report();
    logger.info('following the device shadow', { ...address });
  }

  async stop(): Promise<void> {
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    await unsubscribe?.();
    await this.reporting;
  }

  /** Sends `reported` when it changed since the last report (our own update comes back as a document too). */
  report(): Promise<void> {
    this.reporting = this.reporting.then(async () => {
      const reported = this.options.reported();
      const json = JSON.stringify(reported);
      if (json === this.lastReported) return;
      const { runtime, address, logger } = this.options;
      try {
        await runtime.updateThingShadow(address.thingName, address.shadowName, { state: { reported } });
        this.lastReported = json;
      } catch (err) {
        logger.error('could not report to the device shadow', { ...address, err });
      }
    });
    return this.reporting;
  }

  private applyDesired(desired: unknown): void {
    const state =
      typeof desired === 'object' && desired !== null && !Array.isArray(desired)
        ? (desired as Record<string, unknown>)
        : {};
    const json = JSON.stringify(state);
    if (json === this.lastDesired) return;
    this.lastDesired = json;
    const { values, rejected } = validateDesired(this.options.kind, state);
    // A rejected value changes nothing: the key keeps the value the shadow gave it before, if any.
    const kept = Object.fromEntries(Object.entries(this.applied).filter(([key]) => key in rejected));
    this.applied = { ...kept, ...values };
    this.rejected = rejected;
    if (Object.keys(rejected).length) this.options.logger.warn('shadow desired values rejected', { rejected });
    this.options.config.override(this.applied);
    void this.report();
  }
}
