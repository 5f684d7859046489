import { TransportError } from '../../src/errors';
import { selectTransport } from '../../src/transport/select-transport';

const GREENGRASS_ENV = {
  AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT: '/greengrass/v2/ipc.socket',
  SVCUID: 'token',
};
const MQTT = { url: 'mqtts://broker:8883', cert: 'c.pem', key: 'k.pem' };

describe('selectTransport', () => {
  it('auto picks IPC under Greengrass, even when an MQTT URL is configured', () => {
    expect(selectTransport({ choice: 'auto', env: GREENGRASS_ENV, mqtt: MQTT })).toBe('ipc');
  });

  it('auto picks MQTT outside Greengrass when a URL is configured', () => {
    expect(selectTransport({ choice: 'auto', env: {}, mqtt: MQTT })).toBe('mqtt');
  });

  it('auto falls back to stdout without Greengrass and without a URL', () => {
    expect(selectTransport({ choice: 'auto', env: {}, mqtt: {} })).toBe('stdout');
  });

  it('auto does not take a half Greengrass environment for Greengrass', () => {
    expect(selectTransport({ choice: 'auto', env: { SVCUID: 'token' }, mqtt: {} })).toBe('stdout');
    const emptyToken = { ...GREENGRASS_ENV, SVCUID: '' };
    expect(selectTransport({ choice: 'auto', env: emptyToken, mqtt: MQTT })).toBe('mqtt');
  });

  it.each(['ipc', 'mqtt', 'stdout'] as const)('an explicit %s wins when possible', (choice) => {
    expect(selectTransport({ choice, env: GREENGRASS_ENV, mqtt: {} })).toBe(choice);
  });

  it('explicit stdout wins over a configured URL', () => {
    expect(selectTransport({ choice: 'stdout', env: {}, mqtt: MQTT })).toBe('stdout');
  });

  it('explicit IPC outside Greengrass names every missing variable', () => {
    const select = () => selectTransport({ choice: 'ipc', env: {}, mqtt: {} });
    expect(select).toThrow(TransportError);
    expect(select).toThrow(/AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT and SVCUID.*must run under Greengrass/);
  });

  it('explicit IPC names only the variable that is missing', () => {
    expect(() =>
      selectTransport({ choice: 'ipc', env: { AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT: '/s' }, mqtt: {} }),
    ).toThrow(/needs SVCUID in the environment/);
  });
});
