const PLAIN = /^[\w@%+=:,./!-]+$/;

/**
 * `gst_args` as the value of the client's `--gst-launch-args`. The client splits that string into words
 * (its argv-split, shell-like quotes), joins them with spaces and runs `gst-launch-1.0` through a shell.
 * So each argument is quoted twice where needed, innermost for the shell, outermost for the split, and
 * arrives at gst-launch exactly as configured: URIs, `&`, `$`, quotes and spaces included.
 */
export function gstLaunchArgsValue(args: readonly string[]): string {
  return args.map((arg) => quoteForSplit(PLAIN.test(arg) ? arg : quoteForShell(arg))).join(' ');
}

function quoteForShell(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

function quoteForSplit(word: string): string {
  return PLAIN.test(word) ? word : `"${word.replace(/[\\"]/g, '\\$&')}"`;
}
