/**
 * Waits for `promise`, but no longer than `ms`: true when it settled in time, false at the
 * deadline (the promise goes on; its outcome is ignored). Rejections count as settled. The
 * timer is cleared either way, so it never keeps the process alive.
 */
export async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
