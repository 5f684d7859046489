import { COMPONENTS, COMPONENT_KINDS } from '../component-kind';
import { describeParameters } from './recipe-defaults';

/**
 * The README's configuration table: one row per key with its default in each component ("-" when the
 * component has no such key), what is allowed, and what it does. Generated, never written by hand.
 */
export function configurationTableMarkdown(): string {
  const docs = COMPONENT_KINDS.map((kind) => new Map(describeParameters(kind).map((d) => [d.key, d])));
  const keys = [...new Set(docs.flatMap((d) => [...d.keys()]))];
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const header = `| key | ${COMPONENT_KINDS.map((k) => COMPONENTS[k].componentName.replace('EdgeImpulse', '').replace('Component', '')).join(' | ')} | allowed | meaning |`;
  const rule = `|${' --- |'.repeat(COMPONENT_KINDS.length + 3)}`;
  const rows = keys.map((key) => {
    const doc = docs.find((d) => d.has(key))!.get(key)!;
    const defaults = docs.map((d) => (d.has(key) ? `\`${String(d.get(key)!.default)}\`` : '-'));
    return `| \`${key}\` | ${defaults.join(' | ')} | ${escape(doc.allowed)} | ${escape(doc.description)} |`;
  });
  return [header, rule, ...rows].join('\n');
}
