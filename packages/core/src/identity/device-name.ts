import { readFileSync } from 'node:fs';

/**
 * The unique device name `D` used in every topic and shown in Edge Impulse Studio: the configured template,
 * sanitised, plus `_<mac>` (lower-case MAC of the default-route interface, no colons) so that one fleet
 * deployment gives every device its own name. Without a MAC the Greengrass thing name is the suffix.
 */

/** Spaces become `_`, quotes are removed. Returns undefined when MQTT wildcards or `/` remain. */
export function sanitizeDeviceName(template: string): string | undefined {
  const name = template.trim().replace(/\s+/g, '_').replace(/["'`]/g, '');
  // eslint-disable-next-line no-control-regex -- control characters are what this test looks for
  if (name === '' || /[+#/]/.test(name) || /[\u0000-\u001f]/.test(name)) return undefined;
  return name;
}

export interface DeviceIdentitySources {
  /** MAC address of the default-route interface, any case, with or without colons. */
  mac?: string;
  /** `AWS_IOT_THING_NAME`, set by Greengrass for every component. */
  thingName?: string;
}

export function uniqueDeviceName(sanitizedTemplate: string, sources: DeviceIdentitySources): string {
  const mac = sources.mac?.replace(/[:-]/g, '').toLowerCase();
  if (mac && /^[0-9a-f]{12}$/.test(mac) && mac !== '000000000000') return `${sanitizedTemplate}_${mac}`;
  const thing = sources.thingName ? sanitizeDeviceName(sources.thingName) : undefined;
  return thing ? `${sanitizedTemplate}_${thing}` : sanitizedTemplate;
}

/** The interface of the default IPv4 route, from the kernel's routing table text (`/proc/net/route`). */
export function defaultRouteInterface(routeTable: string): string | undefined {
  for (const line of routeTable.split('\n').slice(1)) {
    const [iface, destination, , , , , , mask] = line.trim().split(/\s+/);
    if (destination === '00000000' && mask === '00000000') return iface;
  }
  return undefined;
}

/** Reads this machine's identity sources; any that cannot be read are left out. */
export function readDeviceIdentitySources(env: NodeJS.ProcessEnv = process.env): DeviceIdentitySources {
  const sources: DeviceIdentitySources = {};
  if (env.AWS_IOT_THING_NAME) sources.thingName = env.AWS_IOT_THING_NAME;
  try {
    const iface = defaultRouteInterface(readFileSync('/proc/net/route', 'utf8'));
    if (iface && /^[\w.-]+$/.test(iface)) sources.mac = readFileSync(`/sys/class/net/${iface}/address`, 'utf8').trim();
  } catch {
    // No routing table or interface (container, no network): the thing name is the fallback.
  }
  return sources;
}
