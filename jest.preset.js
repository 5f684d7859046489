// Shared jest settings: ts-jest compiles TypeScript on the fly, and @ei-gg/core resolves to its
// sources so a change in core is tested everywhere without a rebuild.
const path = require('path');

module.exports = {
  testEnvironment: 'node',
  // Only a hung test should ever reach this: tests wait for events, never for a time, and every inner wait
  // (waitFor, nextMessage, waitForState, ...) is at most 45 s (the TLS blinding case in testbench's
  // peers-mosquitto-tls.spec.ts), so that a hung test fails with the inner wait's message. Also bounds hooks.
  testTimeout: 60_000,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: { warnOnly: false } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/tests/**/*.spec.ts', '<rootDir>/src/**/*.spec.ts'],
  moduleNameMapper: {
    '^@ei-gg/core$': path.join(__dirname, 'packages/core/src/index.ts'),
    // Subpath entries (`@ei-gg/core/transport`, ...), but not the package.json that version.ts reads.
    '^@ei-gg/core/(?!package\\.json$)(.+)$': path.join(__dirname, 'packages/core/src/$1/index.ts'),
    '^@ei-gg/testbench$': path.join(__dirname, 'packages/testbench/src/index.ts'),
  },
};
