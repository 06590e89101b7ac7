import { type ClassValue, clsx } from "clsx";
import { twMerge } from "tailwind-merge";

/**
 * Composes a class list: `clsx` drops falsy parts and flattens arrays and objects, then
 * `tailwind-merge` lets a later utility win over an earlier one of the same property
 * (`cn("px-4", "px-2")` is `"px-2"`), so a caller's `className` overrides a variant's.
 */
export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}
