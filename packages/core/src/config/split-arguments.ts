/**
 * Split a command-line-like string into arguments the way a POSIX shell would for plain words and quotes,
 * without ever invoking a shell: no expansion, no substitution, no globbing. Returns undefined when a quote
 * is left open, so the caller can report it instead of guessing.
 */
export function splitArguments(text: string): string[] | undefined {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) current += text[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) return undefined;
  if (inWord) args.push(current);
  return args;
}
