import { expect, type Locator, type Page, test } from "@playwright/test";
import { emitWithAck } from "../lib/client/realtime/socket";
import {
  createAnswerTokens,
  DEFAULT_ANSWER,
} from "../lib/server/agents/testing/fake-openai-behaviours";
import { ASSISTANT_AGENT, LIMITED_AGENT } from "./fixtures/agents-file";
import { BASE_URL } from "./fixtures/env";
import { ChatPage } from "./pages/chat-page";
import { readCompletionsAbout, readCompletionsFor } from "./support/fake-openai";
import { FoyerProcess } from "./support/foyer-process";
import { connectAsPage } from "./support/own-socket";

/**
 * Answers from a model (the fake OpenAI server behind the "assistant" and "limited" agents
 * of the run's agents file), in Chromium: markdown, Stop, resume after a reload, a second
 * tab, a server killed mid-answer, the daily allowance, and the empty conversation.
 */

/** A tag no other test's message holds: the fake's records are found by it. */
function uniqueTag(name: string): string {
  return `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * The prose the fake streams for `[fake:tokens:COUNT:GAP_MS]`. Under 40 tokens it is one
 * paragraph of plain words, so the rendered text is exactly the stored text.
 */
function proseOf(count: number): string {
  return createAnswerTokens(count).join("");
}

/** The first words of `prose`: on screen, they say the answer has started streaming. */
function openingOf(prose: string): string {
  return prose.split(" ").slice(0, 3).join(" ");
}

/** The code of the fake's default answer's ```ts block, as its Copy button copies it. */
const DEFAULT_ANSWER_CODE = /```ts\n([\s\S]*?)\n```/.exec(DEFAULT_ANSWER)?.[1] ?? "";

/** Opens the chat on `page` as a new guest, with the assistant's conversation open. */
async function openAssistant(page: Page, baseURL?: string): Promise<ChatPage> {
  const chat = new ChatPage(page, baseURL);
  await chat.goto();
  await chat.expectConnected();
  await chat.openAgent(chat.agentItem(ASSISTANT_AGENT.id));
  return chat;
}

/**
 * Sends `text` and waits until its answer streams, showing `opening`; answers the id of the
 * answer being written and the seq of the message it answers.
 */
async function sendAndSeeItStream(
  chat: ChatPage,
  text: string,
  opening: string,
): Promise<{ answerId: string; askedSeq: number }> {
  await chat.send(text);
  const asked = await chat.waitForOwnMessage(text);
  const bubble = chat.streamingMessages.first();
  await expect(bubble.getByTestId("message-body")).toContainText(opening);
  const answerId = (await bubble.getAttribute("data-message-id")) ?? "";
  expect(answerId).not.toBe("");
  return { answerId, askedSeq: asked.seq };
}

async function bodyText(message: Locator): Promise<string> {
  return (await message.getByTestId("message-body").textContent()) ?? "";
}

test.describe("answers from a model", () => {
  test.use({ permissions: ["clipboard-read", "clipboard-write"] });

  /** The server a test started itself, stopped after it however it ended. */
  let ownServer: FoyerProcess | null = null;
  test.afterEach(async () => {
    await ownServer?.stop();
    ownServer = null;
  });

  test("a streamed markdown answer renders code with Copy, a list and a safe link; raw HTML stays text", async ({
    page,
  }) => {
    const chat = await openAssistant(page);
    const tag = uniqueTag("markdown");
    await chat.send(`Show me some markdown ${tag}`);
    const asked = await chat.waitForOwnMessage(`Show me some markdown ${tag}`);
    const answer = await chat.waitForAgentMessageAfter(asked.seq);
    const markdown = chat.message(answer.id).getByTestId("markdown");

    await expect(markdown.locator("strong")).toHaveText("fake model");
    await expect(markdown.locator("ul > li")).toHaveText([
      "a list item",
      "another item, with inline code",
    ]);
    await expect(markdown.getByTestId("code-language")).toHaveText("ts");
    await expect(markdown.locator("pre code")).toHaveText(DEFAULT_ANSWER_CODE);
    await markdown.getByTestId("copy-code").click();
    await expect
      .poll(() => page.evaluate(() => navigator.clipboard.readText()))
      .toBe(DEFAULT_ANSWER_CODE);
    const link = markdown.getByRole("link", { name: "the API reference" });
    await expect(link).toHaveAttribute(
      "href",
      "https://platform.openai.com/docs/api-reference/chat",
    );
    await expect(link).toHaveAttribute("target", "_blank");
    await expect(link).toHaveAttribute("rel", "noopener noreferrer");
    // The agent list's latest line reads the answer's words, not its markdown marks.
    await expect(page.getByTestId(`agent-latest-${ASSISTANT_AGENT.id}`)).toHaveText(
      /^Here is an answer from the fake model: a list item another item, with inline code const/,
    );

    // The model writes HTML (the fake echoes it): it is shown as the characters it is.
    const html = [
      `[fake:echo] ${tag}`,
      '<div class="injected-block">a block</div>',
      'inline <b class="injected-inline">bold</b> <img src="/x.png" onerror="window.__injected = 1">',
      "<script>window.__injected = 2</script>",
    ].join("\n\n");
    await chat.send(html);
    const echoed = await chat.waitForOwnMessage(html);
    const shown = chat.message((await chat.waitForAgentMessageAfter(echoed.seq)).id);
    const shownBody = shown.getByTestId("message-body");
    await expect(shownBody).toContainText('<div class="injected-block">a block</div>');
    await expect(shownBody).toContainText('<b class="injected-inline">bold</b>');
    await expect(shownBody).toContainText("<script>window.__injected = 2</script>");
    await expect(shownBody.locator("div.injected-block, b, img, script")).toHaveCount(0);
    await expect(page.locator(".injected-block, .injected-inline")).toHaveCount(0);
    expect(await page.evaluate(() => Reflect.get(window, "__injected"))).toBeUndefined();
  });

  test("Stop ends a slow answer as stopped, keeps its text, and closes the model's request", async ({
    page,
  }) => {
    const chat = await openAssistant(page);
    const tag = uniqueTag("stop");
    const prose = proseOf(39);
    const { answerId } = await sendAndSeeItStream(
      chat,
      `[fake:tokens:39:250] ${tag}`,
      openingOf(prose),
    );

    await chat.streamingMessage(answerId).getByTestId("stop-answer").click();
    const stopped = chat.message(answerId);
    await expect(stopped).toHaveAttribute("data-status", "stopped");
    await expect(stopped.getByTestId("answer-status")).toHaveText("Stopped");
    await expect(chat.streamingMessages).toHaveCount(0);
    const kept = await bodyText(stopped);
    expect(kept.length).toBeGreaterThanOrEqual(openingOf(prose).length);
    expect(kept.length).toBeLessThan(prose.length);
    expect(prose.startsWith(kept), `"${kept}" is the start of the answer`).toBe(true);

    // Foyer hung up on the model: the fake saw its client close the stream before the end.
    await expect
      .poll(async () => (await readCompletionsAbout(tag)).map((r) => r.closedByClientAt !== null))
      .toEqual([true]);
  });

  test("a reload mid-answer resumes the stream where it was and ends with the whole text once", async ({
    page,
  }) => {
    const chat = await openAssistant(page);
    const tag = uniqueTag("reload");
    const prose = proseOf(39);
    const { answerId, askedSeq } = await sendAndSeeItStream(
      chat,
      `[fake:tokens:39:250] ${tag}`,
      openingOf(prose),
    );
    const shownBefore = await bodyText(chat.streamingMessage(answerId));

    await page.reload();
    await chat.expectConnected();
    await chat.openAgent(chat.agentItem(ASSISTANT_AGENT.id));
    // The bubble comes back with the text so far (not from the start, not with a gap).
    await expect(chat.streamingMessage(answerId)).toBeVisible();
    await expect.poll(async () => (await chat.firstStreamedTexts())[answerId]).toBeTruthy();
    const resumedAt = (await chat.firstStreamedTexts())[answerId] ?? "";
    expect(resumedAt.startsWith(shownBefore), `"${resumedAt}" continues "${shownBefore}"`).toBe(
      true,
    );
    expect(prose.startsWith(resumedAt)).toBe(true);

    const done = chat.message(answerId);
    await expect(done).toHaveAttribute("data-status", "complete");
    expect(await bodyText(done)).toBe(prose);
    await expect(chat.streamingMessages).toHaveCount(0);
    await expect(chat.transcript.locator(`[data-message-id="${answerId}"]`)).toHaveCount(1);
    const answers = (await chat.messageRecords()).filter(
      (m) => m.authorKind === "agent" && m.seq > askedSeq,
    );
    expect(answers.map((m) => m.id)).toEqual([answerId]);
    // The reload asked the model nothing more: the answer went on on the server.
    expect(await readCompletionsAbout(tag)).toHaveLength(1);
  });

  test("a second tab of the same guest shows the same answer live, and the same final message", async ({
    page,
    context,
  }) => {
    const chat = await openAssistant(page);
    const other = new ChatPage(await context.newPage());
    await other.goto();
    await other.expectConnected();
    await other.openAgent(other.agentItem(ASSISTANT_AGENT.id));

    const tag = uniqueTag("second-tab");
    const prose = proseOf(30);
    const { answerId } = await sendAndSeeItStream(
      chat,
      `[fake:tokens:30:200] ${tag}`,
      openingOf(prose),
    );
    // The other tab streams it too, while it is being written.
    await expect(other.streamingMessage(answerId).getByTestId("message-body")).toContainText(
      openingOf(prose),
    );

    for (const tab of [chat, other]) {
      await expect(tab.message(answerId)).toHaveAttribute("data-status", "complete");
      expect(await bodyText(tab.message(answerId))).toBe(prose);
      await expect(tab.streamingMessages).toHaveCount(0);
    }
    const seenThere = (await other.streamedTexts())[answerId] ?? "";
    expect(seenThere.length).toBeGreaterThan(0);
    expect(prose.startsWith(seenThere)).toBe(true);
    expect(await other.messageRecords()).toEqual(await chat.messageRecords());
  });

  test("a server killed mid-answer comes back: the tab reconnects, says interrupted, and Retry answers", async ({
    page,
  }) => {
    test.setTimeout(180_000);
    const server = FoyerProcess.create("answers-restart");
    ownServer = server;
    try {
      await server.start();
      const chat = await openAssistant(page, server.baseURL);
      const tag = uniqueTag("restart");
      const prose = proseOf(30);
      const { answerId, askedSeq } = await sendAndSeeItStream(
        chat,
        `[fake:tokens:30:300] ${tag}`,
        openingOf(prose),
      );

      await server.kill();
      await expect(chat.connectionStatus).not.toHaveAttribute("data-state", "connected");
      await server.start({ keepData: true });

      // The page reconnects by itself; the answer the dead server was writing is interrupted.
      await chat.expectConnected();
      const interrupted = chat.message(answerId);
      await expect(interrupted).toHaveAttribute("data-status", "interrupted", { timeout: 30_000 });
      await expect(interrupted.getByTestId("answer-status")).toHaveText(
        "Answer interrupted · Retry",
      );
      await expect(chat.streamingMessages).toHaveCount(0);
      await expect(chat.transcript.getByText("typing…")).toHaveCount(0);

      await interrupted.getByTestId("retry-answer").click();
      const retried = chat.transcript
        .getByTestId("message")
        .filter({ has: page.getByTestId("answer-versions") });
      await expect(retried).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
      await expect(retried.getByTestId("answer-versions")).toContainText("2 / 2");
      expect(await retried.getAttribute("data-message-id")).not.toBe(answerId);
      expect(await bodyText(retried)).toBe(prose);
      await expect(chat.streamingMessages).toHaveCount(0);
      expect(
        (await chat.messageRecords()).filter((m) => m.authorKind === "agent" && m.seq > askedSeq),
      ).toHaveLength(1);
      // Two requests reached the model: the one the kill cut off, and the retry, whole.
      const requests = await readCompletionsAbout(tag);
      expect(requests.map((r) => r.closedByClientAt !== null)).toEqual([true, false]);
    } finally {
      await server.stop();
    }
  });

  test("the allowance notice counts down, then sending stops, and the server refuses too", async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto();
    await chat.expectConnected();
    await chat.openAgent(chat.agentItem(LIMITED_AGENT.id));
    const notice = page.getByTestId("allowance-notice");
    const member = LIMITED_AGENT.limits.memberMessagesPerDay;
    const tag = uniqueTag("allowance");
    await expect(notice).toHaveText(`2 messages left today — sign up for ${member}`);

    await chat.chatWith(LIMITED_AGENT.id, `first ${tag}`);
    await expect(notice).toHaveText(`1 message left today — sign up for ${member}`);
    await expect(notice).toHaveAttribute("data-level", "low");
    await expect(notice.getByRole("link", { name: `sign up for ${member}` })).toHaveAttribute(
      "href",
      "/sign-up",
    );

    await chat.chatWith(LIMITED_AGENT.id, `second ${tag}`);
    await expect(notice).toHaveText(
      `You've used today's 2 messages with ${LIMITED_AGENT.name}. Sign up to get ${member} a day.`,
    );
    await expect(notice).toHaveAttribute("data-level", "out");
    await chat.composerInput.fill(`third ${tag}`);
    await expect(chat.composerSend).toBeDisabled();
    await chat.composerInput.press("Enter");
    await expect(chat.composerInput).toHaveValue(`third ${tag}`);

    // Past the page: the same guest's own socket sends the third, and the server says no.
    const socket = await connectAsPage(page, BASE_URL);
    try {
      const joined = await emitWithAck(socket, "channel:join", { agentId: LIMITED_AGENT.id });
      if (joined.status !== "OK") throw new Error(`join: ${joined.code}`);
      expect(joined.data.allowance).toMatchObject({ kind: "guest", limit: 2, left: 0 });
      const sent = await emitWithAck(socket, "message:send", {
        channel: joined.data.channel,
        clientMessageId: `own-${tag}`,
        body: `third ${tag}`,
      });
      expect(sent).toMatchObject({ status: "ERROR", code: "quota_exceeded:agent_messages" });
    } finally {
      socket.disconnect();
    }
    // Nothing beyond the two answers reached the model. (Only this test talks to the limited
    // agent, and all the run's guests share one address, so one allowance, as it should be.)
    const asked = await readCompletionsFor(LIMITED_AGENT.model);
    expect(asked.map((r) => r.body?.messages?.at(-1)?.content)).toEqual([
      `first ${tag}`,
      `second ${tag}`,
    ]);
    await expect(chat.messages.filter({ hasText: `third ${tag}` })).toHaveCount(0);
  });

  test("an empty conversation shows the agent's description and suggestions; one click sends it", async ({
    page,
  }) => {
    const chat = await openAssistant(page);
    await expect(chat.transcript).toContainText(`Say hello to ${ASSISTANT_AGENT.name}`);
    await expect(chat.transcript).toContainText(ASSISTANT_AGENT.description);
    const suggestions = chat.transcript.getByTestId("suggestion");
    await expect(suggestions).toHaveText([...ASSISTANT_AGENT.suggestions]);

    const picked = ASSISTANT_AGENT.suggestions[1];
    await suggestions.filter({ hasText: picked }).click();
    const asked = await chat.waitForOwnMessage(picked);
    const answer = await chat.waitForAgentMessageAfter(asked.seq);
    await expect(chat.message(answer.id)).toHaveAttribute("data-status", "complete");
    await expect(suggestions).toHaveCount(0);
    await expect(chat.messages.filter({ hasText: picked })).toHaveCount(1);
  });
});
