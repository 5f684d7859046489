import type { ComponentFeature } from '@ei-gg/core';

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

  /** `get_status` gains `web: {preview: {url, token_required}}` (an empty object while none listens). */
  feature(): ComponentFeature {
    return { status: () => ({ web: Object.fromEntries(this.endpoints) }) };
  }
}
