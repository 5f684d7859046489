import { topicMatches } from '../../src/transport/topic-matches';

describe('topicMatches', () => {
  it.each([
    ['a/b/c', 'a/b/c'],
    ['a/+/c', 'a/b/c'],
    ['+/+/+', 'a/b/c'],
    ['a/#', 'a/b/c'],
    ['a/#', 'a'],
    ['#', 'a/b/c'],
    ['a/b/#', 'a/b/'],
    ['a/+', 'a/'],
    ['+', ''],
    ['/+', '/a'],
    ['$aws/things/+/shadow', '$aws/things/dev/shadow'],
    ['$SYS/#', '$SYS/broker/uptime'],
  ])('%s matches %s', (filter, topic) => {
    expect(topicMatches(filter, topic)).toBe(true);
  });

  it.each([
    ['a/b/c', 'a/b'],
    ['a/b', 'a/b/c'],
    ['a/+', 'a/b/c'],
    ['a/+/c', 'a/b/d'],
    ['+', 'a/b'],
    ['a/b/#', 'a/c'],
    ['A/b', 'a/b'],
    ['a/#/c', 'a/b/c'],
    ['#', '$SYS/broker/uptime'],
    ['+/things/x', '$aws/things/x'],
  ])('%s does not match %s', (filter, topic) => {
    expect(topicMatches(filter, topic)).toBe(false);
  });
});
