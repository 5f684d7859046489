import { hostname, networkInterfaces } from 'node:os';
import type { ComponentFeature } from '@ei-gg/core';
import type { AccessGuard } from './access-guard';

/** How an operator reaches one of the runner's web servers, as `get_status` shows it; or why it does not listen. */
export type WebEndpoint =
  | {
      /** Open this (it carries the access token when one is needed). */
      url: string;
      /** Whether requests need the token: the server listens beyond loopback. */
      token_required: boolean;
    }
  | { error: string };

/**
 * The runner's web servers that listen now (`preview`, ...), registered by their attachments at each pipeline
 * start and removed when it stops. The URLs carry the access token, so they are shown only in `get_status`
 * (answered on the command topic, which only the device's operators can use), never logged.
 */
export class WebEndpoints {
  private readonly endpoints = new Map<string, WebEndpoint>();

  /** Registers `name`; the returned function removes it again. */
  add(name: string, endpoint: WebEndpoint): () => void {
    this.endpoints.set(name, endpoint);
    return () => {
      if (this.endpoints.get(name) === endpoint) this.endpoints.delete(name);
    };
  }

  /**
   * Registers a server listening on `host`:`port`, its URL carrying the access token when the guard asks for one.
   * Returns the URL without the token (what a log line may show) and the function that removes the entry.
   */
  listening(name: string, host: string, port: number, guard: AccessGuard): { base: string; remove: () => void } {
    const base = `http://${urlHost(host)}:${port}/`;
    const remove = this.add(name, {
      url: guard.tokenRequired ? `${base}?token=${encodeURIComponent(guard.token)}` : base,
      token_required: guard.tokenRequired,
    });
    return { base, remove };
  }

  /** `get_status` gains `web: {preview: {url, token_required}}` (an empty object while none listens). */
  feature(): ComponentFeature {
    return { status: () => ({ web: Object.fromEntries(this.endpoints) }) };
  }
}

/** The bind host as a browser elsewhere reaches it: for a wildcard bind, this device's first external IPv4. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && !address.internal && address.family === 'IPv4');
    return external?.address ?? hostname();
  }
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
