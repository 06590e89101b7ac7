import { type LoopResult, perSecond } from "./closed-loop";
import { quantile } from "./stats";

/** The numbers a closed-loop window is judged by. */
export interface LoopMetrics {
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

export function toLoopMetrics(result: LoopResult): LoopMetrics {
  return {
    perSecond: perSecond(result),
    p50: quantile(result.latenciesMs, 0.5),
    p99: quantile(result.latenciesMs, 0.99),
    errors: result.errors,
  };
}
