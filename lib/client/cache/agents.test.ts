import { describe, expect, it } from "vitest";
import type { AgentListing, ChatMessage } from "../../shared/realtime/events";
import {
  applyMessage,
  applyReadState,
  applyStar,
  toDisplayOrder,
  toLatestLineText,
} from "./agents";

const agent = (id: string, starred = false): AgentListing => ({
  id,
  name: id,
  description: "",
  suggestions: [],
  streams: false,
  starred,
  unread: 0,
  readSeq: 0,
  latest: null,
});

const message = (seq: number, authorKind: "user" | "agent", body = `m${seq}`): ChatMessage => ({
  id: `msg_${seq}`,
  channel: "direct-usr_a-b",
  seq,
  clientMessageId: null,
  authorId: authorKind === "agent" ? "b" : "usr_a",
  authorKind,
  body,
  createdAt: "2030-01-01T00:00:00.000Z",
  status: null,
  note: null,
  replyTo: null,
});

describe("toDisplayOrder", () => {
  it("puts starred agents first and keeps the server's order within each group", () => {
    const list = [agent("a"), agent("b", true), agent("c"), agent("d", true)];
    expect(toDisplayOrder(list).map((a) => a.id)).toEqual(["b", "d", "a", "c"]);
    expect(list.map((a) => a.id)).toEqual(["a", "b", "c", "d"]);
  });
});

describe("applyStar", () => {
  it("sets one agent's star and keeps the array when nothing changes", () => {
    const list = [agent("a"), agent("b")];
    const next = applyStar(list, { agentId: "b", starred: true });
    expect(next?.map((a) => a.starred)).toEqual([false, true]);
    expect(applyStar(next, { agentId: "b", starred: true })).toBe(next);
    expect(applyStar(list, { agentId: "zzz", starred: true })).toBe(list);
    expect(applyStar(undefined, { agentId: "a", starred: true })).toBeUndefined();
  });
});

describe("applyMessage", () => {
  it("counts an agent's message as unread unless it is being read, once per message", () => {
    let list = [agent("a"), agent("b")] as AgentListing[] | undefined;
    list = applyMessage(list, "b", message(1, "user"), false);
    list = applyMessage(list, "b", message(2, "agent", "x".repeat(500)), false);
    list = applyMessage(list, "b", message(2, "agent"), false);
    const b = list?.find((a) => a.id === "b");
    expect(b?.unread).toBe(1);
    expect(b?.latest?.seq).toBe(2);
    expect(b?.latest?.body).toHaveLength(140);
    const read = applyMessage(list, "b", message(3, "agent"), true);
    expect(read?.find((a) => a.id === "b")?.unread).toBe(1);
    expect(read?.find((a) => a.id === "b")?.latest?.seq).toBe(3);
  });

  it("ignores an older message than the latest line", () => {
    const list = applyMessage([agent("b")], "b", message(5, "agent"), false);
    expect(applyMessage(list, "b", message(4, "agent"), false)).toBe(list);
  });
});

describe("applyReadState", () => {
  it("takes the server's read state, never moving back", () => {
    const list = [{ ...agent("b"), unread: 3, readSeq: 2 }];
    expect(applyReadState(list, { agentId: "b", readSeq: 6, unread: 0 })?.[0]).toMatchObject({
      unread: 0,
      readSeq: 6,
    });
    expect(applyReadState(list, { agentId: "b", readSeq: 1, unread: 5 })).toBe(list);
  });
});

describe("toLatestLineText", () => {
  const latest = (authorKind: "user" | "agent", body: string) => ({
    id: "msg_1",
    seq: 1,
    body,
    authorKind,
    createdAt: "2030-01-01T00:00:00.000Z",
  });

  it.each([
    ["**The tale of a fox**\n\nOnce upon a time", "The tale of a fox Once upon a time"],
    ["I can help:\n\n- **Hello**: say *hi*\n- `time`", "I can help: Hello: say hi time"],
    [
      "## Steps\n\n1. open [the docs](https://example.test/a)\n2. ~~wait~~ go",
      "Steps open the docs wait go",
    ],
    ["> quoted ![a cat](https://example.test/c.png)", "quoted a cat"],
    ["Code:\n\n```ts\nconst snake_case = 2 * 3;\n```", "Code: const snake_case = 2 * 3;"],
    // Cut short by the server's excerpt: what is left still reads.
    ["More in [the API reference](https://platform.openai.com/do", "More in the API reference"],
  ])("reads an agent's markdown %j as plain words", (body, expected) => {
    expect(toLatestLineText(latest("agent", body))).toBe(expected);
  });

  it("shows what a person typed as typed, on one line", () => {
    expect(toLatestLineText(latest("user", "**not bold**\n- and no list"))).toBe(
      "**not bold** - and no list",
    );
  });
});
