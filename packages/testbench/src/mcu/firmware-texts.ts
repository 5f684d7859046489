/** What the emulated board says about itself; every field is configurable per test. */
export interface FirmwareIdentity {
  /** Reported by `AT+CONFIG?` (default `1.8.0`). */
  atVersion: string;
  /** EI_CLASSIFIER_SENSOR: 1 microphone, 2 accelerometer, 3 camera (default 3). */
  sensor: number;
  /** `classification`, `object_detection`, `constrained_object_detection` (default `classification`). */
  modelType: string;
  modelName: string;
  modelId: number;
  deployVersion: number;
  /** False: the firmware predates `AT+INFO` and rejects it. */
  infoSupported: boolean;
}

export const DEFAULT_IDENTITY: FirmwareIdentity = {
  atVersion: '1.8.0',
  sensor: 3,
  modelType: 'classification',
  modelName: 'ei-gg emulated model',
  modelId: 424242,
  deployVersion: 7,
  infoSupported: true,
};

const SENSOR_NAMES = ['unknown', 'microphone', 'accelerometer', 'camera', '9DoF', 'environmental', 'fusion'];

/** `AT+CONFIG?` in the layout of firmware-sdk `at_get_config()`. */
export function configText(id: FirmwareIdentity): string {
  return [
    '===== Device info =====',
    'ID:         EE:11:EE:11:EE:11',
    'Type:       EI_GG_EMULATOR',
    `AT Version: ${id.atVersion}`,
    'Data Transfer Baudrate: 115200',
    '',
    '===== Sensors ======',
    'Name: Camera, Max sample length: 1s, Frequencies: []',
    '',
    '===== Inference ======',
    `Sensor:           ${id.sensor}`,
    `Model type:       ${id.modelType}`,
    '',
    '===== Remote management =====',
    'URL:        wss://remote-mgmt.edgeimpulse.com',
    'Connected:  0',
    '',
  ].join('\n');
}

/** `AT+INFO` in the layout of firmware-sdk `at_info()`. */
export function infoText(id: FirmwareIdentity): string {
  return [
    '*************************',
    '* Edge Impulse firmware *',
    '*************************',
    'Firmware build date  : Nov 22 2026',
    'Firmware build time  : 02:27:00',
    'ML model author      : ei-gg',
    `ML model name        : ${id.modelName}`,
    `ML model ID          : ${id.modelId}`,
    `Model deploy version : ${id.deployVersion}`,
    'Edge Impulse version : v1.80.0',
    `Used sensor          : ${SENSOR_NAMES[id.sensor] ?? 'unknown'}`,
    '',
  ].join('\n');
}

export function helpText(id: FirmwareIdentity): string {
  const commands: Array<[string, string]> = [
    ['AT+CONFIG?', 'Lists complete config'],
    ['AT+RUNIMPULSE', 'Run the impulse'],
    ['AT+RUNIMPULSECONT', 'Run the impulse continuously'],
    ...(id.infoSupported
      ? [['AT+INFO', 'Prints details about compiled firmware and ML model'] as [string, string]]
      : []),
    ['AT+HELP', 'Lists all commands'],
  ];
  return `AT Server\nCommand set version: ${id.atVersion}\n\n` + commands.map(([c, h]) => `${c}\n\t${h}\n\n`).join('');
}

/** The `Inferencing settings:` block printed when a run starts. */
export function settingsText(classCount: number): string {
  return `Inferencing settings:\n\tInterval: 16.00 ms.\n\tFrame size: 375\n\tSample length: 2000 ms.\n\tNo. of classes: ${classCount}\n`;
}

/** What firmware `main()` prints after a reset. */
export const DEFAULT_BOOT_BANNER =
  'Hello from Edge Impulse Device SDK.\nCompiled on Nov 22 2026 02:27:00\nType AT+HELP to see a list of commands.\n';
