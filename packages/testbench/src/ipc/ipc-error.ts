/** Error shapes of the Greengrass IPC model that this endpoint raises. */
export type IpcErrorCode =
  'ServiceError' | 'UnauthorizedError' | 'ResourceNotFoundError' | 'InvalidArgumentsError' | 'ConflictError';

/** Which nucleus the endpoint plays; their error bodies differ. */
export type NucleusKind = 'classic' | 'lite';

/**
 * An operation failure sent back as an ApplicationError message. The Java nucleus's body carries both the
 * modelled `message` field and the `_message`/`_errorCode`/`_service` fields it adds
 * (EventStreamOperationError); Nucleus Lite sends only `_message` and `_errorCode` (ipc_server.c,
 * send_stream_error). The JavaScript client hands the parsed body to callers as `RpcError.serviceError`,
 * and `_errorCode` is the only way there to tell the error kinds apart.
 */
export class IpcError extends Error {
  override name = 'IpcError';

  constructor(
    readonly errorCode: IpcErrorCode,
    message: string,
    private readonly fields: Record<string, unknown> = {},
    readonly nucleus: NucleusKind = 'classic',
  ) {
    super(message);
  }

  /**
   * What Nucleus Lite answers for an operation it does not have (ggl_ipc_handle_operation returns
   * GG_ERR_NOENTRY and the error stays GGL_IPC_ERROR_DEFAULT): a ServiceError with an empty message.
   */
  static liteUnsupported(): IpcError {
    return new IpcError('ServiceError', '', {}, 'lite');
  }

  get serviceModelType(): string {
    return `aws.greengrass#${this.errorCode}`;
  }

  /** The same error as the given nucleus would send it. */
  as(nucleus: NucleusKind): IpcError {
    return nucleus === this.nucleus ? this : new IpcError(this.errorCode, this.message, this.fields, nucleus);
  }

  body(): Record<string, unknown> {
    if (this.nucleus === 'lite') return { _message: this.message, _errorCode: this.errorCode };
    return {
      _service: 'aws.greengrass#GreengrassCoreIPC',
      _message: this.message,
      _errorCode: this.errorCode,
      message: this.message,
      ...this.fields,
    };
  }
}
