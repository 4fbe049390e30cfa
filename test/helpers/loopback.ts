import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';

/** How a scripted server ends its script: a normal close, a dropped TCP connection, or not at all. */
export type ScriptEnd = 'close' | 'cut' | 'stay-open';

/** Listens on 127.0.0.1 on a free port; resolves the port. */
export async function listenLoopback(http: Server): Promise<number> {
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return (http.address() as AddressInfo).port;
}

/** Drops every client and closes both servers. */
export async function closeServers(wss: WebSocketServer, http: Server): Promise<void> {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  await new Promise<void>((resolve) => http.close(() => resolve()));
}

/** Ends a played script as asked, once the last frames have left. */
export async function endScript(socket: WebSocket, end: ScriptEnd | undefined): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (end === 'cut') socket.terminate();
  else if (end !== 'stay-open') socket.close(1000, 'done');
}
