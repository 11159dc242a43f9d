import { useEffect, useState } from "react";
// Runtime configuration from /config.json, so one build serves every deployment.

import { clockMinutes, isTimeZone, type OpeningHours } from "./hours";

export interface RuntimeConfig {
  connectApiUrl: string; // https://<host>/api/connect
  livekitUrl: string; // wss://<host>
  supportPhone?: string; // shown with every error: the way out that always works
  hours?: OpeningHours; // when the line takes calls; absent: always
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

function hoursField(hours: Record<string, unknown>, key: keyof OpeningHours): string {
  const value = hours[key];
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
    throw new ConfigError(`config.json: "hours.${key}" is missing`);
  }
  return typeof value === "string" ? value.trim() : JSON.stringify(value);
}

function parseHours(raw: unknown): OpeningHours | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(
      'config.json: "hours" must be an object like {"open": "06:00", "close": "23:00", "timeZone": "Asia/Kolkata"}',
    );
  }
  const record = raw as Record<string, unknown>;
  const [open, close] = (["open", "close"] as const).map((key) => {
    const value = hoursField(record, key);
    if (typeof record[key] !== "string" || clockMinutes(value) === null) {
      throw new ConfigError(`config.json: "hours.${key}" must be a 24-hour time like "06:00": ${value}`);
    }
    return value;
  });
  const timeZone = hoursField(record, "timeZone");
  if (typeof record.timeZone !== "string" || !isTimeZone(timeZone)) {
    throw new ConfigError(`config.json: "hours.timeZone" is not a known time zone: ${timeZone}`);
  }
  if (open === close) {
    throw new ConfigError(
      `config.json: "hours.open" and "hours.close" are both ${open}; a line that never closes has no "hours"`,
    );
  }
  return { open, close, timeZone };
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
  const hours = parseHours(record.hours);
  return {
    connectApiUrl: url(record, "connectApiUrl", ["https:", "http:"]),
    livekitUrl: url(record, "livekitUrl", ["wss:", "ws:"]),
    ...(phone.trim() ? { supportPhone: phone.trim() } : {}),
    ...(hours ? { hours } : {}),
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

/** The page's configuration as a view sees it: loading, ready, or unreadable (with why). */
export type LoadedConfig =
  | { kind: "loading" }
  | { kind: "ready"; config: RuntimeConfig }
  | { kind: "bad"; detail: string };

/** Loads /config.json once when `enabled`; a view that does not need it passes false. */
export function useRuntimeConfig(enabled: boolean): LoadedConfig {
  const [loaded, setLoaded] = useState<LoadedConfig>({ kind: "loading" });
  useEffect(() => {
    if (!enabled) return;
    loadConfig()
      .then((config) => setLoaded({ kind: "ready", config }))
      .catch((error: unknown) =>
        setLoaded({
          kind: "bad",
          detail: error instanceof ConfigError ? error.message : "config.json could not be read",
        }),
      );
  }, [enabled]);
  return loaded;
}
