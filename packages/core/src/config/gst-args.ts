import { splitArguments } from './split-arguments';

/**
 * `gst_args`: a custom GStreamer pipeline, as a list of gst-launch arguments. Accepted forms:
 * - the original recipes' colon form, where `:` stands for a space: `v4l2src:device=/dev/video0:!:videoconvert`;
 * - a plain string with spaces (quotes group words): `rtspsrc location=rtsp://cam:554/x ! decodebin`;
 * - a JSON array of strings (or a string holding one).
 * In the colon form, colons that belong to a URI are kept: the `scheme://` separator, a port
 * (`host:554`) and user info (`user:pass@host`), so `location=rtsp://cam.local:554/live` survives.
 */
export function parseGstArgs(raw: unknown): string[] | undefined {
  if (Array.isArray(raw))
    return raw.length > 0 && raw.every((a) => typeof a === 'string' && a !== '') ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (text.startsWith('[')) {
    try {
      return parseGstArgs(JSON.parse(text));
    } catch {
      return undefined;
    }
  }
  const args = /\s/.test(text) ? splitArguments(text) : splitColonForm(text);
  return args && args.length > 0 ? args : undefined;
}

function splitColonForm(text: string): string[] {
  const args: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === ':' && !isUriColon(current, text.slice(i + 1))) {
      if (current !== '') args.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current !== '') args.push(current);
  return args;
}

const SCHEME_AT_END = /(?:^|=)[a-zA-Z][a-zA-Z0-9+.-]*$/;
const IN_URI_AUTHORITY = /[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*$/;

function isUriColon(before: string, after: string): boolean {
  if (after.startsWith('//') && SCHEME_AT_END.test(before)) return true;
  if (!IN_URI_AUTHORITY.test(before)) return false;
  if (/^\d+(?:[/:]|$)/.test(after)) return true; // host:port
  return after.split(/[:/]/, 1)[0].includes('@'); // user:password@host
}
