import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { ChatMessage } from "../../shared/realtime/events";

/**
 * The conversation as a chat model reads it: the `system` prompt (when there is one), the
 * history (the person's messages as `user`, the agent's answers as `assistant`), then the
 * message to answer. Empty messages are left out, and so are answers that failed or were
 * interrupted: they stop mid-thought where a fault cut them, which a model would take for
 * its own way of answering.
 */
export function toChatMessages(
  system: string | undefined,
  history: readonly ChatMessage[],
  userMessage: ChatMessage,
): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  if (system?.trim()) messages.push({ role: "system", content: system });
  for (const message of history) {
    if (message.body.trim() === "") continue;
    if (message.status === "failed" || message.status === "interrupted") continue;
    const role = message.authorKind === "user" ? "user" : "assistant";
    messages.push({ role, content: message.body });
  }
  messages.push({ role: "user", content: userMessage.body });
  return messages;
}
