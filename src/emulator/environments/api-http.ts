/**
 * The HTTP plumbing the Runtime API (runtime-api.ts) and the Extensions and Telemetry APIs
 * (src/emulator/extensions) share on one environment's host:port. A module of its own so that
 * neither side imports the other for it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Sends a JSON answer: status plus `{errorMessage, errorType}` or `{status}` like Lambda's (the Runtime API's), or any
 * JSON body with extra headers (the Extensions and Telemetry APIs').
 */
export function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

/** Reads a request body; `null` when it is over `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number, done: (body: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= limit) chunks.push(c);
  });
  req.on('end', () => done(size > limit ? null : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
}
