// Runtime configuration from /config.json, so one build serves every deployment.

export interface RuntimeConfig {
  connectApiUrl: string; // https://<host>/api/connect
  livekitUrl: string; // wss://<host>
  supportPhone?: string; // shown with every error: the way out that always works
}

export class ConfigError extends Error {}

function url(raw: Record<string, unknown>, key: string, schemes: string[]): string {
  const value = raw[key];
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(`config.json: "${key}" is missing`);
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`config.json: "${key}" is not a URL: ${value}`);
  }
  if (!schemes.includes(parsed.protocol)) {
    throw new ConfigError(`config.json: "${key}" must start with ${schemes.join(" or ")}//`);
  }
  return value;
}

export function parseConfig(raw: unknown): RuntimeConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError("config.json is not a JSON object");
  }
  const record = raw as Record<string, unknown>;
  const phone = record.supportPhone ?? "";
  if (typeof phone !== "string" || (phone.trim() && !/^\+?[0-9][0-9 -]{5,}$/.test(phone.trim()))) {
    throw new ConfigError('config.json: "supportPhone" must be a phone number');
  }
  return {
    connectApiUrl: url(record, "connectApiUrl", ["https:", "http:"]),
    livekitUrl: url(record, "livekitUrl", ["wss:", "ws:"]),
    ...(phone.trim() ? { supportPhone: phone.trim() } : {}),
  };
}

export async function loadConfig(
  fetchFn: typeof fetch = fetch,
  path = "/config.json",
): Promise<RuntimeConfig> {
  let response: Response;
  try {
    response = await fetchFn(path, { cache: "no-store" });
  } catch {
    throw new ConfigError("config.json could not be loaded");
  }
  if (!response.ok) throw new ConfigError(`config.json could not be loaded (${response.status})`);
  let raw: unknown;
  try {
    raw = await response.json();
  } catch {
    throw new ConfigError("config.json is not valid JSON");
  }
  return parseConfig(raw);
}
