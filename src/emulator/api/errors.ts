/**
 * AWS-shaped errors. One class carries the error code, HTTP status and message; each protocol
 * (REST-JSON for Lambda, JSON 1.1 for Logs, query XML for STS) renders it the way the official
 * SDKs parse it, so clients raise their typed exceptions.
 */
export class AwsError extends Error {
  constructor(
    /** AWS error code, e.g. ResourceNotFoundException */
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra body fields (Lambda's TooManyRequestsException carries Reason) and headers */
    readonly extra: { fields?: Record<string, unknown>; headers?: Record<string, string> } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AwsError';
  }
}

/** Lambda's exceptions whose body spells the message `Message` (the rest use `message`). */
const CAPITAL_MESSAGE = new Set(['ResourceNotFoundException', 'ServiceException']);

/** Lambda's 404, 400 and 409 in one line each. */
export const notFound = (message: string) => new AwsError('ResourceNotFoundException', 404, message);
export const invalidParameter = (message: string) => new AwsError('InvalidParameterValueException', 400, message);
export const conflict = (message: string) => new AwsError('ResourceConflictException', 409, message);

/** Lambda REST-JSON: `X-Amzn-ErrorType` header plus `{"Type":"User","message":…}`. */
export function lambdaErrorBody(error: AwsError): { headers: Record<string, string>; body: string } {
  const messageKey = CAPITAL_MESSAGE.has(error.code) ? 'Message' : 'message';
  const type = error.status >= 500 ? 'Service' : 'User';
  const body = JSON.stringify({ Type: type, [messageKey]: error.message, ...error.extra.fields });
  return {
    headers: { 'x-amzn-errortype': error.code, 'content-type': 'application/json', ...error.extra.headers },
    body,
  };
}

/** CloudWatch Logs JSON 1.1: `{"__type":…,"message":…}`. */
export function jsonErrorBody(error: AwsError): { headers: Record<string, string>; body: string } {
  return {
    headers: { 'x-amzn-errortype': error.code, 'content-type': 'application/x-amz-json-1.1', ...error.extra.headers },
    body: JSON.stringify({ __type: error.code, message: error.message, ...error.extra.fields }),
  };
}

/** AWS query protocol (STS): `<ErrorResponse><Error>…</Error><RequestId>…</RequestId></ErrorResponse>`. */
export function queryErrorBody(error: AwsError, requestId: string): { headers: Record<string, string>; body: string } {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  const body =
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n` +
    `  <Error>\n    <Type>${type}</Type>\n    <Code>${escapeXml(error.code)}</Code>\n` +
    `    <Message>${escapeXml(error.message)}</Message>\n  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`;
  return { headers: { 'content-type': 'text/xml' }, body };
}

/** Escapes text for an XML element body. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}

/** Percent-decodes one path segment; malformed encoding is the client's 400, never the server's 500. */
export function decodeSegment(raw: string, code = 'InvalidParameterValueException'): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch (error) {
    throw new AwsError(code, 400, `The request path segment ${JSON.stringify(raw.slice(0, 200))} is not valid percent-encoding.`, {}, { cause: error });
  }
}
