// The built page on loopback, a fake connect API, and real headless Chromium.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
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

function requireDist() {
  if (!existsSync(join(DIST, "index.html"))) {
    throw new Error("frontend/dist is missing: run `npm run build` before the browser tests");
  }
}

/** Serves dist/ like CloudFront does: files, then index.html for any other path (SPA). */
export async function serveSite(configBody) {
  requireDist();
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

/**
 * The dashboard on the real local backend: a fresh store seeded by scripts/dashboard_fixture.py
 * (scored calls with recordings) and `autoqa serve` over it and the built page. `stop()` ends
 * the server and removes the store.
 */
export async function serveDashboard() {
  requireDist();
  const repo = join(here, "..", "..");
  const python = process.env.AUTOQA_PYTHON || join(repo, ".venv", "bin", "python");
  if (!existsSync(python)) throw new Error(`${python} is missing: run make install (or set AUTOQA_PYTHON)`);
  const home = mkdtempSync(join(tmpdir(), "dashboard-e2e-"));
  const env = { ...process.env, AUTOQA_HOME: home };
  await promisify(execFile)(python, ["scripts/dashboard_fixture.py", "--home", home], { cwd: repo, env });
  const server = spawn(python, ["-m", "autoqa", "serve", "--port", "0", "--dist", DIST], {
    cwd: repo,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
  };
  let output = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`autoqa serve did not start:\n${output}`)), 30_000);
    const read = (chunk) => {
      output += chunk;
      const found = /Dashboard: (http:\/\/\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    server.stdout.setEncoding("utf8").on("data", read);
    server.stderr.setEncoding("utf8").on("data", (chunk) => (output += chunk));
    server.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`autoqa serve exited (${code}):\n${output}`));
    });
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  return { url, origin: new URL(url).origin, home, stop };
}

const base64url = (value) => Buffer.from(value).toString("base64url");

/**
 * A stand-in for Cognito's OIDC endpoints on loopback: discovery, the hosted UI's authorize
 * (which signs in at once and redirects back with a code), the token endpoint (which checks the
 * PKCE verifier against the challenge), token revocation and the hosted UI's logout. It records
 * every visit.
 */
export async function fakeCognito({ clientId = "dashboard-client", email = "supervisor@batterysmart.example" } = {}) {
  const visits = [];
  const codes = new Map();
  let issued = 0;
  let origin;
  const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type, authorization" };
  const json = (res, status, body) => res.writeHead(status, { ...cors, "content-type": "application/json" }).end(JSON.stringify(body));
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, origin);
    visits.push({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams) });
    if (req.method === "OPTIONS") return res.writeHead(204, cors).end();
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(res, 200, {
        issuer: origin,
        authorization_endpoint: `${origin}/oauth2/authorize`,
        token_endpoint: `${origin}/oauth2/token`,
        userinfo_endpoint: `${origin}/oauth2/userInfo`,
        jwks_uri: `${origin}/.well-known/jwks.json`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (url.pathname === "/oauth2/authorize") {
      const code = `code-${codes.size + 1}`;
      codes.set(code, url.searchParams.get("code_challenge"));
      const back = new URL(url.searchParams.get("redirect_uri"));
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state"));
      return res.writeHead(302, { location: back.toString() }).end();
    }
    if (url.pathname === "/oauth2/token") {
      const form = new URLSearchParams(await readBody(req));
      const verifier = form.get("code_verifier") ?? "";
      const challenge = codes.get(form.get("code"));
      visits.at(-1).form = Object.fromEntries(form);
      if (!challenge || createHash("sha256").update(verifier).digest("base64url") !== challenge) {
        return json(res, 400, { error: "invalid_grant" });
      }
      codes.delete(form.get("code"));
      issued += 1;
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: origin, aud: clientId, sub: "user-1", email, iat: now, exp: now + 3600, n: issued };
      const idToken = `${base64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${base64url(JSON.stringify(claims))}.`;
      return json(res, 200, {
        access_token: `access-token-${issued}`,
        id_token: idToken,
        refresh_token: `refresh-token-${issued}`,
        token_type: "Bearer",
        expires_in: 3600,
      });
    }
    if (url.pathname === "/oauth2/revoke" && req.method === "POST") {
      visits.at(-1).form = Object.fromEntries(new URLSearchParams(await readBody(req)));
      return res.writeHead(200, cors).end();
    }
    if (url.pathname === "/logout") {
      return res.writeHead(200, { "content-type": "text/html" }).end("<p>Signed out</p>");
    }
    res.writeHead(404).end();
  });
  const port = await listen(server);
  origin = `http://127.0.0.1:${port}`;
  return { server, visits, origin, clientId, email };
}
