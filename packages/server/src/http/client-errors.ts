import type { Socket } from 'node:net';
import { PortcullisError, type ErrorCode } from '@portcullis/protocol';

const CODE_OF: Record<string, ErrorCode> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
  HPE_HEADER_OVERFLOW: 'request_headers_too_large',
};

/**
 * Node's `clientError`: a request the HTTP parser refused (bad Content-Length, garbage, headers
 * too large) or one that took too long. Answered in the API envelope with a fresh request id, on
 * the raw socket (there is no request object), and the connection is closed: after a parse error
 * the byte stream cannot be trusted for another request.
 */
export function createClientErrorHandler(newRequestId: () => string) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    if (!socket.writable) {
      socket.destroy(error);
      return;
    }
    const mapped = new PortcullisError(CODE_OF[error.code ?? ''] ?? 'invalid_request', error.code === 'HPE_INVALID_CONTENT_LENGTH' || error.code === 'HPE_UNEXPECTED_CONTENT_LENGTH'
      ? { message: 'The Content-Length header is malformed.' } : error.code && CODE_OF[error.code] ? {} : { message: 'The request could not be parsed.' });
    const id = newRequestId();
    const body = JSON.stringify({ error: mapped.code, message: mapped.message, request_id: id });
    socket.end([
      `HTTP/1.1 ${mapped.status} ${mapped.status === 408 ? 'Request Timeout' : mapped.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}`,
      'Content-Type: application/json; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`, `X-Request-Id: ${id}`,
      'X-Content-Type-Options: nosniff', 'Cache-Control: no-store', 'Connection: close', '', body,
    ].join('\r\n'));
  };
}
