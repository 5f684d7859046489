/** True for an MQTT topic filter (with `+` or `#`), as opposed to a topic name. */
export function isTopicFilter(topic: string): boolean {
  return topic.includes('+') || topic.includes('#');
}
