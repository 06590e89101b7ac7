import type { Figure } from "../lib/figure";
import { b1 } from "./b1-session-check";
import { b2 } from "./b2-message-path";
import { b3 } from "./b3-revocation";
import { b4 } from "./b4-guest-session";
import { b5 } from "./b5-authenticated-route";
import { b6 } from "./b6-cross-node";
import { b7 } from "./b7-connect";
import { b8 } from "./b8-browser";
import { b9 } from "./b9-heap";
import { b10 } from "./b10-hashing";
import { b11 } from "./b11-bystanders";
import { b12 } from "./b12-answer-bytes";
import { b13 } from "./b13-answer-latency";

/** Every figure, in table order. */
export const FIGURES: Figure[] = [b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13];
