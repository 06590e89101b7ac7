"use client";

import { useState } from "react";
import { Banner } from "@/components/ui/banner";
import { Button } from "@/components/ui/button";
import { retryMerge } from "@/lib/client/api/auth";

/**
 * A member whose guest conversations could not be moved at sign-in (the guest and its data
 * were kept): offers the merge again. A success reloads, so every view shows the merged data.
 */
export function GuestPending() {
  const [state, setState] = useState<"idle" | "merging" | "failed">("idle");
  async function onMerge() {
    setState("merging");
    const outcome = await retryMerge();
    if (outcome.kind === "merged") return window.location.reload();
    setState("failed");
  }
  return (
    <Banner tone="info" role="status" data-testid="guest-pending">
      <span>
        {state === "failed"
          ? "Still could not move your guest conversations. They are safe; try again later."
          : "Some conversations from your guest session are not in your account yet."}
      </span>
      <Button size="sm" onClick={() => void onMerge()} disabled={state === "merging"}>
        {state === "merging" ? "Moving…" : "Bring them over"}
      </Button>
    </Banner>
  );
}
