import { toAddressKey, toNetworkKey } from "../../common/address-keys";
import { consumeFrom, type LimitDecision } from "../../common/limit-decision";
import { createLimiter, type LimitStore, type LimitWindow } from "./limiter-store";

/**
 * The budgets of something a visitor can make (a guest, an account), docs/design.md S7 and
 * S8: per client (IPv4 /32, IPv6 /64), per network (IPv4 /24, IPv6 /48), and for everyone
 * together. The per-client budget is what a real office behind one NAT needs; the network
 * budget stops a range holder from rotating through its addresses; the global one bounds
 * what a botnet rotating across networks can make, so the store grows at a known rate.
 */
export interface CreationBudgets {
  perAddress: LimitWindow;
  perNetwork: LimitWindow;
  global: LimitWindow;
}

/** Which budget refused. */
export type BudgetScope = "address" | "network" | "global";

export type BudgetDecision =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; scope: BudgetScope };

export interface CreationBudget {
  /** Spends one for `clientAddress` in every budget, narrowest first; tells whether allowed. */
  consume(clientAddress: string): Promise<BudgetDecision>;
}

const GLOBAL_KEY = "all";

/**
 * A creation budget named `name` (its counters' key prefix). Budgets are spent narrowest
 * first and a refusal stops there, so one address's flood spends neither its network's nor
 * everyone's budget, and one network's flood does not spend everyone's.
 */
export function createCreationBudget(
  name: string,
  budgets: CreationBudgets,
  store?: LimitStore,
): CreationBudget {
  const levels: { scope: BudgetScope; limiter: ReturnType<typeof createLimiter> }[] = [
    { scope: "address", limiter: createLimiter(`${name}:address`, budgets.perAddress, store) },
    { scope: "network", limiter: createLimiter(`${name}:network`, budgets.perNetwork, store) },
    { scope: "global", limiter: createLimiter(`${name}:global`, budgets.global, store) },
  ];
  const keyOf = (scope: BudgetScope, address: string) =>
    scope === "address"
      ? toAddressKey(address)
      : scope === "network"
        ? toNetworkKey(address)
        : GLOBAL_KEY;
  return {
    async consume(clientAddress) {
      for (const { scope, limiter } of levels) {
        const decision: LimitDecision = await consumeFrom(limiter, keyOf(scope, clientAddress));
        if (!decision.allowed) return { ...decision, scope };
      }
      return { allowed: true };
    },
  };
}
