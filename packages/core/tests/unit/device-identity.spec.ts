import {
  defaultRouteInterface,
  readDeviceIdentitySources,
  sanitizeDeviceName,
  uniqueDeviceName,
} from '../../src/identity/device-name';
import { deviceTopics } from '../../src/identity/topics';

const ROUTE_TABLE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
wlan0\t00000000\t0102A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
wlan0\t0002A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0
`;

describe('device identity', () => {
  it('finds the default-route interface in the kernel routing table', () => {
    expect(defaultRouteInterface(ROUTE_TABLE)).toBe('wlan0');
    expect(
      defaultRouteInterface(
        ROUTE_TABLE.split('\n')
          .filter((l) => !l.includes('\t00000000\t0102'))
          .join('\n'),
      ),
    ).toBeUndefined();
  });

  it('appends the lower-case MAC without colons', () => {
    expect(uniqueDeviceName('cam', { mac: 'DC:A6:32:01:02:0F', thingName: 'thing-1' })).toBe('cam_dca63201020f');
  });

  it('falls back to the thing name when there is no usable MAC, then to the template', () => {
    expect(uniqueDeviceName('cam', { mac: '00:00:00:00:00:00', thingName: 'line 3/gw' })).toBe('cam');
    expect(uniqueDeviceName('cam', { mac: 'garbage', thingName: 'gw-7' })).toBe('cam_gw-7');
    expect(uniqueDeviceName('cam', {})).toBe('cam');
  });

  it('sanitises: spaces to _, quotes removed, wildcards and slashes rejected', () => {
    expect(sanitizeDeviceName(`My "Edge" Device`)).toBe('My_Edge_Device');
    for (const bad of ['a/b', 'a+b', 'a#b', '', '  ', 'a\u0001']) expect(sanitizeDeviceName(bad)).toBeUndefined();
  });

  it('reads this machine: thing name from the environment, MAC when there is a default route', () => {
    const sources = readDeviceIdentitySources({ AWS_IOT_THING_NAME: 'gw-9' });
    expect(sources.thingName).toBe('gw-9');
    if (sources.mac !== undefined) expect(sources.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });

  it('derives the four topics of the original components', () => {
    expect(deviceTopics('cam_dca63201020f')).toEqual({
      inferenceOutput: '/edgeimpulse/device/cam_dca63201020f/inference/output',
      modelMetrics: '/edgeimpulse/device/cam_dca63201020f/model/metrics',
      commandInput: '/edgeimpulse/device/cam_dca63201020f/command/input',
      commandOutput: '/edgeimpulse/device/cam_dca63201020f/command/output',
    });
  });
});
