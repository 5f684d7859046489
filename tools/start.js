#!/usr/bin/env node
// `npm start`: until the demo lands (runner on a bundled model and sample images), this shows the effective
// default configuration each component would run with, validated by the same code the components use.
const { COMPONENT_KINDS, COMPONENTS, parseParameters, readDeviceIdentitySources, uniqueDeviceName, deviceTopics } = require('@ei-gg/core');

for (const kind of COMPONENT_KINDS) {
  const { config } = parseParameters(kind, {});
  const device = uniqueDeviceName(config.device_name, readDeviceIdentitySources());
  console.log(`${COMPONENTS[kind].componentName} (${COMPONENTS[kind].bin})`);
  console.log(`  ${COMPONENTS[kind].description}`);
  console.log(`  device ${device}; publishes on ${deviceTopics(device).inferenceOutput}`);
}
