// The built page on loopback, a fake connect API, and real headless Chromium.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const DIST = join(here, "..", "dist");
export const OUTPUT = join(here, "..", "test-output");
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

function listen(server) {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve(server.address().port));
  });
}

export function close(server) {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** A port on loopback that nothing listens on: "the server is down". */
export async function closedPort() {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

/** Serves dist/ like CloudFront does: files, then index.html for any other path (SPA). */
export async function serveSite(configBody) {
  if (!existsSync(join(DIST, "index.html"))) {
    throw new Error("frontend/dist is missing: run `npm run build` before the browser tests");
  }
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/config.json") {
      if (configBody === null) {
        res.writeHead(404).end("not found");
      } else {
        res.writeHead(200, { "content-type": "application/json" }).end(configBody);
      }
      return;
    }
    const file = normalize(join(DIST, path));
    const found = file.startsWith(DIST) && existsSync(file) && extname(file) !== "";
    const target = found ? file : join(DIST, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(target)] ?? "application/octet-stream" });
    res.end(readFileSync(target));
  });
  const port = await listen(server);
  return { server, origin: `http://127.0.0.1:${port}` };
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(""));
  });
}

/** A connect API that answers `respond(request)` and records what it was sent. */
export async function fakeConnectApi(respond) {
  const requests = [];
  const server = createServer(async (req, res) => {
    const cors = {
      "access-control-allow-origin": req.headers.origin ?? "*",
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "content-type",
    };
    if (req.method === "OPTIONS") {
      res.writeHead(204, cors).end();
      return;
    }
    const record = {
      method: req.method,
      path: req.url,
      origin: req.headers.origin,
      contentType: req.headers["content-type"],
    };
    requests.push(record);
    record.body = await readBody(req);
    const { status, body, delayMs = 0, headers = {} } = await respond(req);
    await new Promise((r) => setTimeout(r, delayMs));
    res.writeHead(status, { ...cors, ...headers, "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  const port = await listen(server);
  return { server, requests, url: `http://127.0.0.1:${port}/api/connect` };
}

export function config(overrides = {}) {
  return JSON.stringify({
    connectApiUrl: "http://127.0.0.1:9/api/connect",
    livekitUrl: "ws://127.0.0.1:9",
    supportPhone: "+91 80 4718 1234",
    ...overrides,
  });
}

/** Real Chromium with a fake microphone; `microphone: "deny"` refuses the permission prompt. */
export async function launch({ microphone = "allow" } = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  const args = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--use-fake-device-for-media-stream",
    microphone === "allow" ? "--use-fake-ui-for-media-stream" : "--deny-permission-prompts",
  ];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

export async function screenshot(page, name) {
  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: true });
}

/**
 * A stand-in for the LiveKit server that only records who tried to connect (the WebSocket
 * upgrade and LiveKit's HTTP validate request) and refuses them: no call can be set up.
 */
export async function fakeLiveKit() {
  const attempts = [];
  const record = (req, kind) => {
    const at = new URL(req.url, "http://x");
    attempts.push({ kind, path: at.pathname, token: at.searchParams.get("access_token") });
  };
  const server = createServer((req, res) => {
    record(req, "http");
    res.writeHead(401, { "access-control-allow-origin": "*", "content-type": "text/plain" }).end("refused");
  });
  server.on("upgrade", (req, socket) => {
    record(req, "websocket");
    socket.destroy();
  });
  const port = await listen(server);
  return { server, attempts, url: `ws://127.0.0.1:${port}` };
}
