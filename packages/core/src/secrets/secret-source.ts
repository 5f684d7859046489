/**
 * Where a secret's string comes from: Secrets Manager directly (AWS SDK) or the Greengrass nucleus over IPC
 * (`GetSecretValue`, when `aws.greengrass.SecretManager` is deployed). Failures are `SecretError`s.
 */
export interface SecretSource {
  getSecretString(secretId: string): Promise<string>;
}
