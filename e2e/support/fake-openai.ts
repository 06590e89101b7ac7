/**
 * What reached the run's fake OpenAI server (the `fake-openai` webServer entry), read from
 * its test-only `GET /__requests`, so a spec can check what Foyer asked the model and
 * whether it hung up.
 */
import {
  FAKE_RECORDS_PATH,
  type FakeOpenAIRequestRecord,
  toLastUserText,
} from "../../lib/server/agents/testing/fake-openai-server";
import { FAKE_OPENAI_ORIGIN } from "../fixtures/env";

/** Every request the fake has recorded since it started, oldest first. */
export async function readFakeRequests(): Promise<FakeOpenAIRequestRecord[]> {
  const response = await fetch(new URL(FAKE_RECORDS_PATH, FAKE_OPENAI_ORIGIN));
  if (!response.ok)
    throw new Error(`fake-openai: ${FAKE_RECORDS_PATH} answered ${response.status}`);
  return (await response.json()) as FakeOpenAIRequestRecord[];
}

/** The chat completions whose last user message holds `tag` (a test's own, unique). */
export async function readCompletionsAbout(tag: string): Promise<FakeOpenAIRequestRecord[]> {
  return (await readFakeRequests()).filter(
    (record) => record.path === "/v1/chat/completions" && toLastUserText(record.body).includes(tag),
  );
}

/** The chat completions that asked for `model` (each model agent of the run has its own). */
export async function readCompletionsFor(model: string): Promise<FakeOpenAIRequestRecord[]> {
  return (await readFakeRequests()).filter(
    (record) => record.path === "/v1/chat/completions" && record.body?.model === model,
  );
}
