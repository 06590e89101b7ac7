import { LeanSocket } from "./lean-socket";

/** Opens one socket per token (a few at a time); closes them all with `closeAll`. */
export async function connectMany(
  url: string,
  tokens: readonly (string | undefined)[],
  parallel = 16,
): Promise<LeanSocket[]> {
  const sockets: LeanSocket[] = new Array(tokens.length);
  for (let i = 0; i < tokens.length; i += parallel) {
    await Promise.all(
      tokens.slice(i, i + parallel).map(async (token, j) => {
        sockets[i + j] = await LeanSocket.connect(url, token ? { auth: { token } } : {});
      }),
    );
  }
  return sockets;
}

export function closeAll(sockets: readonly LeanSocket[]): void {
  for (const socket of sockets) socket.close();
}

/** Emits and throws unless the ack is `{ status: "OK" }`; resolves to its data. */
export async function emitOk(socket: LeanSocket, event: string, payload: unknown) {
  const ack = (await socket.emitWithAck(event, payload)) as {
    status?: string;
    data?: unknown;
    code?: string;
  };
  if (ack?.status !== "OK") throw new Error(`${event} answered ${ack?.code ?? "no ack"}`);
  return ack.data;
}
