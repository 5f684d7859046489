import { RUNNER_FLAGS, type FlagHandling } from './runner-flags';

const HANDLING: Record<FlagHandling, string> = {
  honoured: 'honoured',
  implied: 'implied (always so)',
  refused: 'ignored, with a warning',
  unsafe: 'refused: the component does not start',
};

/** The README's table of `eiparams` flags, from RUNNER_FLAGS (`npm run docs` writes it; a test checks it). */
export function eiparamsTableMarkdown(): string {
  // A `|` splits a table cell even inside backticks.
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = RUNNER_FLAGS.map(
    ({ name, value, handling, sets, here }) =>
      `| ${cell(`\`${name}${value ? ` ${value}` : ''}\``)} | ${HANDLING[handling]} | ${sets ? `\`${sets}\`` : '-'} | ${cell(here)} |`,
  );
  return ['| flag | here | effective setting | what it does here |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
