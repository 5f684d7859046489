import { setImmediate as nextTurn } from 'timers/promises';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

/**
 * Releases the native side of aws-crt MQTT 5 clients that were stopped, closed and dropped.
 *
 * What was seen (aws-crt 1.33.1, Node 20): `Mqtt5Client.close()` only deletes the native binding's references to
 * the JS wrapper. The native client, with the six napi threadsafe functions that keep Node's event loop alive, is
 * released only when V8 finalizes the wrapper's external handle, that is at some later garbage collection. An idle
 * process gets one from V8's memory reducer about 8 s later (the "linger" of FACTS.md); a process that still
 * references the wrapper never exits. Jest waits for that too ("Jest did not exit one second after the test run").
 *
 * So the test client drops every reference to its Mqtt5Client and then calls this: a first full collection frees
 * the wrapper, a second one (a turn later) its external, whose finalizer then runs on the next turn. The process
 * then exits at once. `gc` is taken from V8 at run time because jest is not started with --expose-gc.
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
