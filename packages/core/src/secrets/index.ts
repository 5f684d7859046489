/** @ei-gg/core/secrets: reading the Edge Impulse API key from a secret (SPEC 6). */
export {
  apiKeySecretSource,
  readApiKey,
  readSecretValue,
  type ApiKeySecretRef,
  type ApiKeySourceOptions,
  type ClosableSecretSource,
  type SecretValueRef,
} from './api-key-secret';
export type { SecretSource } from './secret-source';
