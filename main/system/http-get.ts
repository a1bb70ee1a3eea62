import { request } from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Why a GET failed: the socket's code (ECONNREFUSED, ECONNRESET …), `TimeoutError`, or `TooLarge`. */
export class HttpGetError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'HttpGetError';
    this.code = code;
  }
}

/**
 * One plain-HTTP GET (the gateway's loopback port), its whole answer
 * bounded in time and size. node:http rather than fetch: the health check
 * runs every minute in a resident process, and fetch loads Node's bundled
 * HTTP client, about 17 MB resident, for three loopback requests.
 */
export function httpGet(url: string, options: { timeoutMs: number; headers?: Record<string, string>; maxBytes?: number; onHeaders?: () => void }): Promise<HttpAnswer> {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: HttpGetError | null, answer?: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(answer!);
    };
    const req = request(url, { method: 'GET', headers: options.headers, agent: false }, (res) => {
      options.onHeaders?.();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) finish(new HttpGetError('TooLarge', `the answer is larger than ${maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error: NodeJS.ErrnoException) => finish(new HttpGetError(error.code ?? 'ECONNRESET', error.message)));
    });
    const timer = setTimeout(() => finish(new HttpGetError('TimeoutError', `no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => finish(new HttpGetError(error.code ?? 'EIO', error.message)));
    req.end();
  });
}
