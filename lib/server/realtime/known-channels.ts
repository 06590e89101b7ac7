import type { Queryable } from "../db/types";
import { type ChannelRecord, ensureChannel } from "../store/messages";

/** Most channel names one gateway remembers; beyond it the memory starts over. */
export const KNOWN_CHANNELS_MAX = 100_000;

/**
 * Channel rows this gateway has ensured, so `message:send` writes its message in one
 * statement instead of ensuring the row first every time. A name may go stale (a merge
 * renames a guest's channels, a purge removes them; both end the guest's sessions first,
 * so its sockets can no longer send): a write that finds no row forgets the name, and the
 * client's retry ensures it again.
 */
export interface KnownChannels {
  ensure(db: Queryable, channel: ChannelRecord): Promise<void>;
  forget(name: string): void;
}

export function createKnownChannels(max = KNOWN_CHANNELS_MAX): KnownChannels {
  const names = new Set<string>();
  return {
    async ensure(db, channel) {
      if (names.has(channel.name)) return;
      await ensureChannel(db, channel);
      if (names.size >= max) names.clear();
      names.add(channel.name);
    },
    forget: (name) => void names.delete(name),
  };
}
