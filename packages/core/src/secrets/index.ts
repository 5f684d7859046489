/** @ei-gg/core/secrets: reading the Edge Impulse API key from a secret (SPEC 6). */
export {
  apiKeySecretSource,
  readApiKey,
  type ApiKeySecretRef,
  type ApiKeySourceOptions,
  type ClosableSecretSource,
} from './api-key-secret';
export type { SecretSource } from './secret-source';
