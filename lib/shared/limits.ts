/** Longest latest-line excerpt the agent list shows (server and client cut alike). */
export const LATEST_LINE_MAX_LENGTH = 140;
