import { setImmediate as nextTurn } from 'timers/promises';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

/**
 * Releases the native side of aws-crt MQTT 5 clients that were stopped, closed and dropped by every reference.
 *
 * aws-crt 1.33.1: `Mqtt5Client.close()` only deletes the binding's references to the JS wrapper. The native client
 * and its napi threadsafe functions, which keep Node's event loop alive, are released when V8 finalizes the wrapper,
 * i.e. at some later garbage collection: ~8 s later in an idle process (V8's memory reducer), never while anything
 * still references the wrapper. Two full collections a turn apart free the wrapper and then run its finalizer, so a
 * process (or jest) exits at once. `gc` comes from V8 at run time, as jest's own leak detector does, because
 * nothing here is started with --expose-gc.
 */
export async function releaseNativeClients(): Promise<void> {
  const collect = garbageCollector();
  collect();
  await nextTurn();
  collect();
  await nextTurn();
}

let gc: (() => void) | undefined;

function garbageCollector(): () => void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  return gc;
}
