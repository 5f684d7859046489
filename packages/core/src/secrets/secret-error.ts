import { EiGgError, type ErrorContext } from '../errors';

export type SecretErrorCode =
  | 'SECRET_NOT_FOUND'
  | 'SECRET_ACCESS_DENIED'
  | 'SECRET_KEY_MISSING'
  | 'SECRET_INVALID'
  | 'SECRET_UNAVAILABLE'
  /** The source cannot serve secrets at all here (GetSecretValue on a nucleus that does not offer it). */
  | 'SECRET_UNSUPPORTED';

/** The API key secret could not be read. Messages and context name the secret and key, never a secret value. */
export class SecretError extends EiGgError {
  declare readonly code: SecretErrorCode;

  constructor(code: SecretErrorCode, message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super(code, message, options);
  }
}
