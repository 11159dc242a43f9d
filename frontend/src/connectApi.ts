// POST /api/connect on the voice line: a room, a token and a call id, or a reason why not.

import type { CallEvent } from "./callMachine";

export interface Connection {
  url: string;
  token: string;
  callId: string;
}

export type ConnectResult = { ok: true; connection: Connection } | { ok: false; event: CallEvent };

async function message(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { message?: unknown };
    return typeof body.message === "string" ? body.message : undefined;
  } catch {
    return undefined;
  }
}

export async function requestCall(
  connectApiUrl: string,
  fetchFn: typeof fetch = fetch,
): Promise<ConnectResult> {
  let response: Response;
  try {
    response = await fetchFn(connectApiUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
  } catch {
    return { ok: false, event: { type: "CONNECT_UNREACHABLE" } };
  }
  if (response.status === 503) {
    return { ok: false, event: { type: "CONNECT_BUSY", detail: await message(response) } };
  }
  if (response.status === 429) {
    return { ok: false, event: { type: "CONNECT_RATE_LIMITED", detail: await message(response) } };
  }
  if (!response.ok) {
    return {
      ok: false,
      event: { type: "CONNECT_UNREACHABLE", detail: (await message(response)) ?? `HTTP ${response.status}` },
    };
  }
  try {
    const body = (await response.json()) as Record<string, unknown>;
    const { url, token, call_id: callId } = body;
    if (typeof url === "string" && typeof token === "string" && typeof callId === "string") {
      return { ok: true, connection: { url, token, callId } };
    }
  } catch {
    // fall through: an answer we cannot use is the same as no answer
  }
  return { ok: false, event: { type: "CONNECT_UNREACHABLE", detail: "unexpected answer" } };
}
