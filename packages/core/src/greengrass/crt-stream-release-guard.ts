/**
 * Works around a use-after-free in aws-crt's event-stream binding (1.33.1, the version aws-iot-device-sdk-v2 1.28
 * pins; unchanged in 1.33.2) that kills the process with SIGSEGV when the nucleus's socket closes while an IPC
 * operation is being opened: under a steady stream of publishes, a nucleus restart crashed the component.
 *
 * When a stream's activation message cannot be flushed because its connection is closing, the native code drops
 * the stream's activation reference twice: once in the failed-activation callback and once when the connection's
 * shutdown ends the stream (aws-crt-nodejs `source/event_stream.c`: `s_napi_on_event_stream_client_stream_activation`
 * and `s_napi_event_stream_on_stream_ended`). Those two releases free the stream's binding, and the close() that the
 * SDK always issues afterwards touches the freed memory. So such a stream is not closed natively (the two releases
 * are exactly the references it holds), and a close() asked for while an activation is in flight waits for its
 * outcome, since that is when we learn which case it is.
 */
import { eventstream } from 'aws-crt';

type ActivationCallback = (
  resolve: () => void,
  reject: (reason: unknown) => void,
  stream: eventstream.ClientStream,
  errorCode: number,
) => void;

const ACTIVATION_CALLBACK = '_s_on_stream_activated';
let installed = false;

/**
 * Installs the guard on aws-crt's ClientStream (once per process; later calls do nothing). Throws when aws-crt no
 * longer has the internals it wraps: an upgrade must re-check the bug rather than run unguarded.
 *
 * @example
 * ```ts
 * installCrtStreamReleaseGuard(); // before the first greengrasscoreipc client is created
 * ```
 */
export function installCrtStreamReleaseGuard(): void {
  if (installed) return;
  const ClientStream = eventstream.ClientStream;
  const onActivated: unknown = Reflect.get(ClientStream, ACTIVATION_CALLBACK);
  if (typeof onActivated !== 'function')
    throw new Error(
      `aws-crt's eventstream.ClientStream has no ${ACTIVATION_CALLBACK}: this aws-crt differs from the 1.33 the ` +
        'stream release guard was written for; check whether its double release on a failed activation is fixed',
    );
  // The originals, always called on a stream with .call(stream).
  /* eslint-disable @typescript-eslint/unbound-method */
  const nativeClose = ClientStream.prototype.close;
  const nativeActivate = ClientStream.prototype.activate;
  /* eslint-enable @typescript-eslint/unbound-method */
  /** Streams the native code has already released: a failed activation. */
  const releasedNatively = new WeakSet<eventstream.ClientStream>();
  /** Streams whose activation is in flight, with whether close() was asked for meanwhile. */
  const activating = new WeakMap<eventstream.ClientStream, { closeRequested: boolean }>();

  const guarded: ActivationCallback = (resolve, reject, stream, errorCode) => {
    if (errorCode !== 0) releasedNatively.add(stream);
    const pending = activating.get(stream);
    activating.delete(stream);
    Reflect.apply(onActivated, ClientStream, [resolve, reject, stream, errorCode]);
    if (pending?.closeRequested && errorCode === 0) nativeClose.call(stream);
  };
  Reflect.set(ClientStream, ACTIVATION_CALLBACK, guarded);

  ClientStream.prototype.activate = function (this: eventstream.ClientStream, options) {
    if (!activating.has(this) && !releasedNatively.has(this)) activating.set(this, { closeRequested: false });
    const activation = nativeActivate.call(this, options);
    // A failure before the native call (a bad state or options) never reaches the callback.
    activation.catch(() => {
      if (releasedNatively.has(this)) return;
      const pending = activating.get(this);
      activating.delete(this);
      if (pending?.closeRequested) nativeClose.call(this);
    });
    return activation;
  };

  ClientStream.prototype.close = function (this: eventstream.ClientStream) {
    if (releasedNatively.has(this)) return;
    const pending = activating.get(this);
    if (pending) {
      pending.closeRequested = true;
      return;
    }
    nativeClose.call(this);
  };
  installed = true;
}
