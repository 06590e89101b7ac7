/**
 * Append-only pushes of an answer being written (docs/design.md, answers): each push is the
 * offset where its text starts and the text, never the whole answer again, so what one
 * client receives grows with the answer, not with its square. The first piece goes out at
 * once; pieces that arrive within the window after a push go out together as one push at
 * its end, so a fast model costs a push per window, not a push per token.
 */

/** Longest a piece waits for company before it is pushed. */
export const PUSH_WINDOW_IN_MS = 30;

export interface Coalescer {
  /** Adds a piece of the answer: pushed now, or with the next push of the window. */
  push(piece: string): void;
  /** Pushes what is waiting now (before the final message). */
  flush(): void;
  /** Characters pushed so far (the next push's offset). */
  readonly pushed: number;
}

export interface CoalescerOptions {
  emit(offset: number, text: string): void;
  windowInMs?: number;
  now?: () => number;
  /** Runs `fn` after `ms`; returns a cancel. Default: `setTimeout`. */
  schedule?: (fn: () => void, ms: number) => () => void;
}

function scheduleWithTimer(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
}

export function createCoalescer(options: CoalescerOptions): Coalescer {
  const windowInMs = options.windowInMs ?? PUSH_WINDOW_IN_MS;
  const now = options.now ?? (() => performance.now());
  const schedule = options.schedule ?? scheduleWithTimer;
  let offset = 0;
  let waiting = "";
  let lastPushAt = Number.NEGATIVE_INFINITY;
  let cancel: (() => void) | null = null;

  const pushNow = () => {
    cancel = null;
    if (waiting === "") return;
    const text = waiting;
    waiting = "";
    options.emit(offset, text);
    offset += text.length;
    lastPushAt = now();
  };

  return {
    push(piece) {
      if (piece === "") return;
      waiting += piece;
      if (cancel) return;
      const wait = lastPushAt + windowInMs - now();
      if (wait <= 0) pushNow();
      else cancel = schedule(pushNow, wait);
    },
    flush() {
      cancel?.();
      pushNow();
    },
    get pushed() {
      return offset;
    },
  };
}
