/** Error shapes of the Greengrass IPC model that this endpoint raises. */
export type IpcErrorCode =
  'ServiceError' | 'UnauthorizedError' | 'ResourceNotFoundError' | 'InvalidArgumentsError' | 'ConflictError';

/**
 * An operation failure sent back as an ApplicationError message. The body carries both the
 * modelled `message` field and the `_message`/`_errorCode`/`_service` fields the Java nucleus adds
 * (EventStreamOperationError): the JavaScript client hands the parsed body to callers as
 * `RpcError.serviceError`, and `_errorCode` is the only way there to tell the error kinds apart.
 */
export class IpcError extends Error {
  override name = 'IpcError';

  constructor(
    readonly errorCode: IpcErrorCode,
    message: string,
    private readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get serviceModelType(): string {
    return `aws.greengrass#${this.errorCode}`;
  }

  body(): Record<string, unknown> {
    return {
      _service: 'aws.greengrass#GreengrassCoreIPC',
      _message: this.message,
      _errorCode: this.errorCode,
      message: this.message,
      ...this.fields,
    };
  }
}
