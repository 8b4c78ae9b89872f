/**
 * Errors the emulator answers with. Azure OpenAI and Azure Resource Manager both wrap errors as
 * `{"error": {"code", "message", ...}}`; handlers throw `ApiError` and the server renders it.
 */
export interface ErrorBody {
  code: string;
  message: string;
  /** The request field at fault (OpenAI-compatible clients surface it as `param`). */
  param?: string;
  type?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
    this.name = 'ApiError';
  }
}

/** Azure OpenAI answers every unknown path (and a missing api-version) with this 404. */
export function resourceNotFound(detail?: string): ApiError {
  return new ApiError(404, { code: '404', message: detail ? `Resource not found: ${detail}` : 'Resource not found' });
}

/** A 400 about one request field, with the authoring API's `invalidPayload` code. */
export function invalidPayload(message: string, param?: string): ApiError {
  return new ApiError(400, param ? { code: 'invalidPayload', message, param } : { code: 'invalidPayload', message });
}

/** A 400 on the inference API, shaped as Azure relays OpenAI's validation errors. */
export function invalidRequest(message: string, param?: string): ApiError {
  return new ApiError(400, {
    code: 'BadRequest',
    message,
    type: 'invalid_request_error',
    ...(param ? { param } : {}),
  });
}

export function notFound(message: string): ApiError {
  return new ApiError(404, { code: 'notFound', message });
}

/** Azure Resource Manager errors use PascalCase codes. */
export function armError(status: number, code: string, message: string): ApiError {
  return new ApiError(status, { code, message });
}
