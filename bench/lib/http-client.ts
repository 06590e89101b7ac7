import { Pool } from "undici";

/** A keep-alive HTTP client for one origin, `connections` wide (one request in flight each). */
export interface HttpClient {
  /** Sends the request, reads the whole answer, throws unless the status is `expect`. */
  send(request: HttpRequest): Promise<string>;
  close(): Promise<void>;
}

export interface HttpRequest {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
  expect?: number;
}

export function createHttpClient(origin: string, connections: number): HttpClient {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  return {
    async send({ method, path, headers, body, expect = 200 }) {
      const res = await pool.request({ method, path, headers, body });
      const text = await res.body.text();
      if (res.statusCode !== expect) {
        throw new Error(`${method} ${path} answered ${res.statusCode}, expected ${expect}`);
      }
      return text;
    },
    close: () => pool.close(),
  };
}
