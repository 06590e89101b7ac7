import { Pool } from "undici";
import { type AnswerScript, toScriptText } from "./answer-script";
import { monoMs } from "./clock";

/** One answer read straight from the upstream's SSE stream, on CLOCK_MONOTONIC. */
export interface StreamedAnswer {
  tag: string;
  /** Right before the request left. */
  sentAt: number;
  /** When each token's chunk had been read, in order. */
  tokenReadAt: number[];
  error: string | null;
}

/**
 * The floor of the answer figures: a bare client of the upstream's `/chat/completions`, on
 * a keep-alive undici pool, reading the SSE body as it comes (no OpenAI client, no Foyer)
 * and noting when each token's event was read.
 */
export interface SseClient {
  stream(script: AnswerScript): Promise<StreamedAnswer>;
  close(): Promise<void>;
}

/** `baseUrl` as the upstream names itself: `http://127.0.0.1:PORT/v1`. */
export function createSseClient(baseUrl: string, connections: number): SseClient {
  const url = new URL(baseUrl);
  const pool = new Pool(url.origin, { connections, pipelining: 1 });
  const path = `${url.pathname.replace(/\/$/, "")}/chat/completions`;
  return {
    async stream(script) {
      const answer: StreamedAnswer = {
        tag: script.tag,
        sentAt: monoMs(),
        tokenReadAt: [],
        error: null,
      };
      try {
        const res = await pool.request({
          method: "POST",
          path,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            model: "fake-model",
            stream: true,
            stream_options: { include_usage: true },
            messages: [{ role: "user", content: toScriptText(script) }],
          }),
        });
        if (res.statusCode !== 200) {
          await res.body.text();
          throw new Error(`the upstream answered ${res.statusCode}`);
        }
        let pending = "";
        for await (const part of res.body) {
          const at = monoMs();
          pending += (part as Buffer).toString("utf8");
          const events = pending.split("\n\n");
          pending = events.pop() ?? "";
          for (const event of events) {
            if (!event.startsWith("data: {")) continue;
            const chunk = JSON.parse(event.slice(6)) as {
              choices?: { delta?: { content?: string } }[];
            };
            if (chunk.choices?.[0]?.delta?.content) answer.tokenReadAt.push(at);
          }
        }
      } catch (error) {
        answer.error = error instanceof Error ? error.message : String(error);
      }
      return answer;
    },
    close: () => pool.close(),
  };
}
