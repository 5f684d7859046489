/** @ei-gg/core/identity: the device name and its topics (SPEC 2, 3). */
export { readDeviceIdentitySources, uniqueDeviceName, type DeviceIdentitySources } from './device-name';
export { deviceTopics, type DeviceTopics } from './topics';
