import { toDirectChannel } from "../../lib/shared/realtime/channels";
import type { ChatMessage, MessageDelta } from "../../lib/shared/realtime/events";
import { type AnswerScript, toScriptText } from "./answer-script";
import { monoMs } from "./clock";
import type { LeanSocket } from "./lean-socket";

/** One `message:delta` as one client socket received it. */
export interface ReceivedPush {
  /** monoMs when the frame was handed to the socket's listener. */
  at: number;
  offset: number;
  text: string;
  /** The WebSocket frame's payload bytes. */
  frameBytes: number;
}

/** One streamed answer as one client socket received it. */
export interface ReceivedAnswer {
  tag: string;
  /** monoMs right before `message:send` left. */
  sentAt: number;
  pushes: ReceivedPush[];
  /** The final `message:created` of the answer; null when it did not come. */
  final: { at: number; frameBytes: number; status: ChatMessage["status"]; body: string } | null;
  /** Why the answer is missing or incomplete; null when it completed. */
  error: string | null;
}

/** How long one answer may take before it counts as an error. */
const ANSWER_TIMEOUT_IN_MS = 120_000;

/**
 * A guest's socket asking an agent on a Foyer node one question at a time and recording
 * every push of the answer: when it arrived, where its text starts, and its frame's bytes.
 */
export class AnswerClient {
  private current: { answer: ReceivedAnswer; done(): void } | null = null;

  constructor(
    private readonly socket: LeanSocket,
    private readonly userId: string,
    private readonly agentId: string,
  ) {
    socket.on("message:delta", (payload, frameBytes) => {
      const at = monoMs();
      const delta = payload as MessageDelta;
      this.current?.answer.pushes.push({
        at,
        offset: delta.offset,
        text: delta.text,
        frameBytes,
      });
    });
    socket.on("message:created", (payload, frameBytes) => {
      const at = monoMs();
      const message = payload as ChatMessage;
      const current = this.current;
      if (!current || message.authorKind !== "agent") return;
      current.answer.final = { at, frameBytes, status: message.status, body: message.body };
      if (message.status !== "complete") {
        current.answer.error = `answer ended ${message.status}: ${message.note}`;
      }
      current.done();
    });
  }

  /** Sends the script's question and resolves once its answer's final message came. */
  ask(script: AnswerScript): Promise<ReceivedAnswer> {
    if (this.current) throw new Error("answer-client: one question at a time");
    const answer: ReceivedAnswer = {
      tag: script.tag,
      sentAt: 0,
      pushes: [],
      final: null,
      error: null,
    };
    return new Promise<ReceivedAnswer>((resolve) => {
      const timer = setTimeout(() => {
        answer.error = "timed out";
        finish();
      }, ANSWER_TIMEOUT_IN_MS);
      const finish = () => {
        clearTimeout(timer);
        if (this.current?.answer === answer) this.current = null;
        resolve(answer);
      };
      this.current = { answer, done: finish };
      answer.sentAt = monoMs();
      this.socket
        .emitWithAck("message:send", {
          channel: toDirectChannel(this.userId, this.agentId),
          clientMessageId: script.tag,
          body: toScriptText(script),
        })
        .then((ack) => {
          const status = (ack as { status?: string; code?: string })?.status;
          if (status === "OK") return;
          answer.error = `message:send answered ${(ack as { code?: string })?.code ?? "no ack"}`;
          finish();
        })
        .catch((error: unknown) => {
          answer.error = error instanceof Error ? error.message : String(error);
          finish();
        });
    });
  }
}

/** Bytes of every frame the client received for the answer: its pushes and its final message. */
export function toReceivedBytes(answer: ReceivedAnswer): number {
  return answer.pushes.reduce((sum, p) => sum + p.frameBytes, 0) + (answer.final?.frameBytes ?? 0);
}

/**
 * What the same pushes would have cost had each carried the whole text so far instead of
 * the new text only (the design it replaced): each frame with its `text` replaced by the
 * answer's text up to the push's end, plus the same final message.
 */
export function toFullTextBytes(answer: ReceivedAnswer): number {
  const jsonBytes = (text: string) => Buffer.byteLength(JSON.stringify(text));
  let soFar = "";
  let total = answer.final?.frameBytes ?? 0;
  for (const push of answer.pushes) {
    soFar = soFar.slice(0, push.offset) + push.text;
    total += push.frameBytes - jsonBytes(push.text) + jsonBytes(soFar);
  }
  return total;
}
