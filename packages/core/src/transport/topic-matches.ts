/**
 * MQTT topic-filter matching (MQTT 5 §4.7): `+` matches exactly one level, a trailing `#` matches the parent
 * level and everything below it. Filters starting with a wildcard do not match topics starting with `$`
 * (`$SYS/...`, `$aws/...`), as brokers do not deliver those to such subscriptions.
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === '#') return i === filterLevels.length - 1;
    if (i >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}
