"use client";

import { useCallback, useLayoutEffect, useRef } from "react";

/** How close to the bottom (px) still counts as "reading the latest". */
const STICKY_THRESHOLD_IN_PX = 64;

/**
 * Keeps a scroll container pinned to its bottom when `version` changes, unless the reader
 * has scrolled up to read older messages.
 */
export function useStickToBottom<T extends HTMLElement>(version: string) {
  const ref = useRef<T>(null);
  const stuck = useRef(true);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (el)
      stuck.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICKY_THRESHOLD_IN_PX;
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger, not an input.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stuck.current) el.scrollTop = el.scrollHeight;
  }, [version]);

  return { ref, onScroll };
}
