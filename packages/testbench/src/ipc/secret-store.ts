import { randomUUID } from 'node:crypto';
import { IpcError } from './ipc-error';

/** A secret as the SecretManager component holds it after syncing from Secrets Manager. */
export interface SecretDefinition {
  secretString?: string;
  secretBinary?: Buffer;
  /** Defaults to an ARN built from the name; ignored when the secret is keyed by its ARN. */
  arn?: string;
  versionId?: string;
  /** Defaults to ['AWSCURRENT']. */
  versionStages?: string[];
}

/** Secrets keyed by name or ARN; a plain string is the secretString. */
export type SecretsOption = Record<string, string | SecretDefinition>;

export interface GetSecretValueResponse {
  secretId: string;
  versionId: string;
  versionStage: string[];
  secretValue: { secretString: string } | { secretBinary: string };
}

interface StoredSecret {
  arn: string;
  versionId: string;
  versionStages: string[];
  value: GetSecretValueResponse['secretValue'];
}

const SECRET_ARN = /^arn:[^:]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:(.+)$/;
// Secrets Manager appends a dash and six random characters to the name in the ARN.
const ARN_SUFFIX = /-[A-Za-z0-9]{6}$/;

/** The aws.greengrass.SecretManager lookup rules: ids are ARNs or names, versions by id or stage. */
export class SecretStore {
  private readonly byArn = new Map<string, StoredSecret>();
  private readonly arnByName = new Map<string, string>();

  /** `region`: of the ARNs made up for secrets given by name. */
  constructor(secrets: SecretsOption = {}, region = 'us-east-1') {
    for (const [key, option] of Object.entries(secrets)) {
      const definition = typeof option === 'string' ? { secretString: option } : option;
      const keyArn = SECRET_ARN.exec(key);
      const name = keyArn ? keyArn[1].replace(ARN_SUFFIX, '') : key;
      const arn = keyArn
        ? key
        : (definition.arn ?? `arn:aws:secretsmanager:${region}:123456789012:secret:${name}-AbCdEf`);
      this.byArn.set(arn, {
        arn,
        versionId: definition.versionId ?? randomUUID(),
        versionStages: definition.versionStages ?? ['AWSCURRENT'],
        value:
          definition.secretBinary === undefined
            ? { secretString: definition.secretString ?? '' }
            : { secretBinary: definition.secretBinary.toString('base64') },
      });
      this.arnByName.set(name, arn);
    }
  }

  /** The secret's ARN for a name or ARN; like the SecretManager, unknown ids fail before authorization. */
  resolveArn(secretId: string): string {
    return this.lookup(secretId).arn;
  }

  get(secretId: string, versionId?: string, versionStage?: string): GetSecretValueResponse {
    const secret = this.lookup(secretId);
    if (versionId && versionStage)
      throw new IpcError('ServiceError', 'Both versionId and Stage are set in the request');
    if (versionId && versionId !== secret.versionId) {
      throw notFound(`Version Id ${versionId} not found for secret ${secretId}`);
    }
    if (versionStage && !secret.versionStages.includes(versionStage)) {
      throw notFound(`Version stage ${versionStage} not found for secret ${secretId}`);
    }
    return {
      secretId: secret.arn,
      versionId: secret.versionId,
      versionStage: [...secret.versionStages],
      secretValue: { ...secret.value },
    };
  }

  private lookup(secretId: string): StoredSecret {
    const arn = SECRET_ARN.test(secretId) ? secretId : this.arnByName.get(secretId);
    const secret = arn === undefined ? undefined : this.byArn.get(arn);
    if (secret === undefined) throw notFound(`Secret not found ${secretId}`);
    return secret;
  }
}

function notFound(message: string): IpcError {
  return new IpcError('ResourceNotFoundError', message, { resourceType: 'secret' });
}
