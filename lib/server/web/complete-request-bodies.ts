import { IncomingMessage, type ServerResponse } from "node:http";

/**
 * Hands Next.js only requests whose bodies arrived whole. A body the client aborts or resets
 * midway makes the request stream fail, and Next.js (15.5) keeps a promise on that stream
 * that nobody awaits (the body it clones for middleware.ts), so each such request logged an
 * unhandled rejection. Here the body is read first, under a cap, with its failure handled: a
 * cut-off body ends the request (its client is gone, nobody is left to answer), one past the
 * cap is answered 413 unread, and a whole one is replayed to the handler from memory on a
 * request that can no longer fail. Requests without a body pass straight through.
 */

/** Far above every route's own cap (8 KiB, authority-route.ts), which still answers first. */
export const REQUEST_BODY_MAX_IN_BYTES = 1024 * 1024;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function hasBody(req: IncomingMessage): boolean {
  if (req.method === "GET" || req.method === "HEAD") return false;
  return (
    req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"]) > 0
  );
}

/** The same request with `body` as its whole, already received stream. */
function toReplayedRequest(req: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = new IncomingMessage(req.socket);
  replay.method = req.method;
  replay.url = req.url;
  replay.httpVersion = req.httpVersion;
  replay.httpVersionMajor = req.httpVersionMajor;
  replay.httpVersionMinor = req.httpVersionMinor;
  replay.headers = req.headers;
  replay.rawHeaders = req.rawHeaders;
  replay.trailers = req.trailers;
  replay.rawTrailers = req.rawTrailers;
  if (body.length > 0) replay.push(body);
  replay.push(null);
  replay.complete = true;
  return replay;
}

function refuseTooLarge(res: ServerResponse, maxBytes: number): void {
  const body = JSON.stringify({
    error: { code: "payload_too_large:body", message: `The body is over ${maxBytes} bytes.` },
  });
  res.writeHead(413, { "content-type": "application/json; charset=utf-8", connection: "close" });
  res.end(body);
}

export function withCompleteRequestBodies(
  handle: Handler,
  maxBytes = REQUEST_BODY_MAX_IN_BYTES,
): Handler {
  return (req, res) => {
    if (!hasBody(req)) return handle(req, res);
    if (Number(req.headers["content-length"]) > maxBytes) {
      req.resume();
      return refuseTooLarge(res, maxBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      stop();
      req.resume();
      refuseTooLarge(res, maxBytes);
    };
    const onEnd = () => {
      stop();
      handle(toReplayedRequest(req, Buffer.concat(chunks)), res);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    // Aborted or reset: the stream fails once, here, and no handler ever sees the request.
    req.on("error", stop);
  };
}
