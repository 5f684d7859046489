/** The four IoT Core topics of one device, unchanged from the original components. */
export interface DeviceTopics {
  inferenceOutput: string;
  modelMetrics: string;
  commandInput: string;
  commandOutput: string;
}

export function deviceTopics(deviceName: string): DeviceTopics {
  const root = `/edgeimpulse/device/${deviceName}`;
  return {
    inferenceOutput: `${root}/inference/output`,
    modelMetrics: `${root}/model/metrics`,
    commandInput: `${root}/command/input`,
    commandOutput: `${root}/command/output`,
  };
}
