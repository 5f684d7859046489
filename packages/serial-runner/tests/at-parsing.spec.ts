import { CLI_CHUNKING, checkAtVersion, parseAtConfig, parseAtInfo, SerialError, writeCommand } from '../src';

/** `AT+CONFIG?` as firmware-sdk `at_get_config()` prints it (AT 1.8, ESP32), with its uneven `=` runs. */
const CONFIG = [
  '===== Device info =====',
  'ID:         AA:BB:CC:DD:EE:FF',
  'Type:       ESPRESSIF_ESP32',
  'AT Version: 1.8.0',
  'Data Transfer Baudrate: 2000000',
  '',
  '===== Sensors ======',
  'Name: Microphone, Max sample length: 3600s, Frequencies: [16000.00Hz]',
  '',
  '===== Inference ======',
  'Sensor:           3\r',
  'Model type:       constrained_object_detection\r',
  '',
  '===== WIFI =====',
  'Connected: 0',
  '===== Remote management =====',
  'URL:        wss://remote-mgmt.edgeimpulse.com',
  'Connected:  1',
].join('\n');

/** `AT+INFO` as firmware-sdk `at_info()` prints it. */
const INFO = [
  '*************************',
  '* Edge Impulse firmware *',
  '*************************',
  'Firmware build date  : Nov 22 2026',
  'Firmware build time  : 02:27:00',
  'ML model author      : someone',
  'ML model name        : Tutorial: continuous motion',
  'ML model ID          : 12345',
  'Model deploy version : 7',
  'Edge Impulse version : v1.62.3',
  'Used sensor          : camera',
].join('\r\n');

describe('parseAtConfig', () => {
  it('reads the AT version, sensor, model type and every section', () => {
    const config = parseAtConfig(CONFIG);
    expect(config).toMatchObject({
      atVersion: '1.8.0',
      deviceId: 'AA:BB:CC:DD:EE:FF',
      deviceType: 'ESPRESSIF_ESP32',
      sensor: 3,
      modelType: 'constrained_object_detection',
    });
    expect(config.sections['Remote management']).toEqual({ URL: 'wss://remote-mgmt.edgeimpulse.com', Connected: '1' });
    expect(config.sections['WIFI']).toEqual({ Connected: '0' });
    expect(config.sections['Sensors']).toEqual({
      Name: 'Microphone, Max sample length: 3600s, Frequencies: [16000.00Hz]',
    });
  });

  it('tolerates old firmware without an Inference section and garbage lines', () => {
    const config = parseAtConfig('garbage\n===== Device info =====\nAT Version: 1.3.0\nnot a key\n');
    expect(config).toMatchObject({ atVersion: '1.3.0', sensor: undefined, modelType: undefined });
    expect(config.sectionLines).toEqual({ '': ['garbage'], 'Device info': ['not a key'] });
  });

  it('returns no version for an empty answer', () => {
    expect(parseAtConfig('').atVersion).toBeUndefined();
  });
});

describe('parseAtInfo', () => {
  it('reads model name (colons and all), id and deploy version', () => {
    expect(parseAtInfo(INFO)).toMatchObject({
      modelName: 'Tutorial: continuous motion',
      modelId: 12345,
      deployVersion: 7,
      modelAuthor: 'someone',
      edgeImpulseVersion: 'v1.62.3',
      usedSensor: 'camera',
    });
  });

  it('leaves absent or non-numeric values undefined', () => {
    expect(parseAtInfo('ML model ID : abc\n')).toMatchObject({
      modelId: undefined,
      modelName: undefined,
      deployVersion: undefined,
    });
  });
});

describe('checkAtVersion', () => {
  it.each(['1.3.0', '1.7.0', '1.8.0', '1.9', 'v1.10.2'])('accepts %s', (v) =>
    expect(() => checkAtVersion(v)).not.toThrow(),
  );

  it.each(['2.0.0', '0.9.1', 'banana', ''])('refuses %s, naming the supported versions', (v) => {
    expect(() => checkAtVersion(v)).toThrow(SerialError);
    expect(() => checkAtVersion(v)).toThrow(/supported: 1\.x/);
  });
});

describe('writeCommand', () => {
  const recorder = () => {
    const writes: Array<[string, number]> = [];
    const started = Date.now();
    return {
      writes,
      port: {
        write: async (data: string) => void writes.push([data, Date.now() - started]),
        on: () => undefined,
        off: () => undefined,
      },
    };
  };

  it('writes the whole command with \\r by default', async () => {
    const { writes, port } = recorder();
    await writeCommand(port, 'AT+CONFIG?');
    expect(writes.map(([d]) => d)).toEqual(['AT+CONFIG?\r']);
  });

  it('writes in chunks with a pause between them when asked (the CLI way)', async () => {
    const { writes, port } = recorder();
    await writeCommand(port, 'AT+CONFIG?', CLI_CHUNKING);
    expect(writes.map(([d]) => d)).toEqual(['AT+CO', 'NFIG?', '\r']);
    expect(writes[2][1]).toBeGreaterThanOrEqual(2 * CLI_CHUNKING.chunkDelayMs - 5);
  });
});
