/** A named shadow of a thing. */
export interface ShadowAddress {
  thingName: string;
  shadowName: string;
}

/** The recipes grant the named shadows starting with this, so `shadow_name` should start with it too. */
export const SHADOW_NAME_PREFIX = 'edgeimpulse';

/** What ShadowManager authorizes GetThingShadow/UpdateThingShadow against. */
export function shadowResource({ thingName, shadowName }: ShadowAddress): string {
  return `$aws/things/${thingName}/shadow/name/${shadowName}`;
}

/** A shadow topic, e.g. `update/delta`, on which ShadowManager publishes over local pub/sub. */
export function shadowTopic(address: ShadowAddress, suffix: string): string {
  return `${shadowResource(address)}/${suffix}`;
}
