import { CommandRouter, type CommandTarget, type ModelInfo } from '../../src/commands/command-router';
import { MAX_COMMAND_BYTES, parseCommand } from '../../src/commands/parse-command';
import { startedReply } from '../../src/commands/command-replies';
import { ThresholdFilter } from '../../src/threshold-filter';

function makeTarget(overrides: Partial<CommandTarget> = {}) {
  const calls: string[] = [];
  const model: ModelInfo = { model_name: 'kws', model_version: 'v12', model_params: { labels: ['go', 'stop'] } };
  const target: CommandTarget = {
    componentName: 'EdgeImpulseLinuxRunnerServiceComponent',
    filter: new ThresholdFilter({ enabled: false, threshold: 0.7, criteria: 'ge' }),
    resetMetrics: () => void calls.push('resetMetrics'),
    restart: async () => void calls.push('restart'),
    modelInfo: () => model,
    caches: {
      clear: async () => (calls.push('clear'), { local: 'OK', s3: 'FAILED' }),
      clearFile: async (id) => (calls.push(`clearFile:${id}`), { local: 'OK', s3: 'OK' }),
    },
    ...overrides,
  };
  return { target, calls, router: new CommandRouter(target) };
}

const UUID = '3b241101-e2bb-4255-8caf-4136c566a962';

describe('CommandRouter: every verb with its exact result shape', () => {
  it('restart acknowledges first and restarts after the reply', async () => {
    const { router, calls } = makeTarget();
    const outcome = await router.handle('{"cmd":"restart"}');
    expect(outcome.reply).toEqual({ result: { restart: 'OK' } });
    expect(calls).toEqual([]);
    await outcome.afterReply!();
    expect(calls).toEqual(['restart']);
  });

  it('enable / disable / get threshold filter config', async () => {
    const { router, target } = makeTarget();
    expect((await router.handle('{"cmd":"enable_threshold_filter"}')).reply).toEqual({
      result: { threshold_filter_config: { enabled: 'yes', confidence_threshold: 0.7, threshold_criteria: 'ge' } },
    });
    expect(target.filter.config.enabled).toBe(true);
    expect((await router.handle('{"cmd":"disable_threshold_filter"}')).reply.result).toEqual({
      threshold_filter_config: { enabled: 'no', confidence_threshold: 0.7, threshold_criteria: 'ge' },
    });
    expect(
      (await router.handle('{"cmd":"get_threshold_filter_config"}')).reply.result.threshold_filter_config,
    ).toMatchObject({ enabled: 'no' });
  });

  it('set / get criteria', async () => {
    const { router, target } = makeTarget();
    expect((await router.handle('{"cmd":"set_threshold_filter_criteria","value":"LT"}')).reply).toEqual({
      result: { criteria: 'lt' },
    });
    expect(target.filter.config.criteria).toBe('lt');
    expect((await router.handle('{"cmd":"get_threshold_filter_criteria"}')).reply).toEqual({
      result: { criteria: 'lt' },
    });
  });

  it('set / get confidence, number or numeric string', async () => {
    const { router, target } = makeTarget();
    expect((await router.handle('{"cmd":"set_threshold_filter_confidence","value":0.25}')).reply).toEqual({
      result: { confidence_threshold: 0.25 },
    });
    expect((await router.handle('{"cmd":"set_threshold_filter_confidence","value":"1"}')).reply).toEqual({
      result: { confidence_threshold: 1 },
    });
    expect(target.filter.config.threshold).toBe(1);
    expect((await router.handle('{"cmd":"get_threshold_filter_confidence"}')).reply).toEqual({
      result: { confidence_threshold: 1 },
    });
  });

  it('get_model_info', async () => {
    const { router } = makeTarget();
    expect((await router.handle('{"cmd":"get_model_info"}')).reply).toEqual({
      result: { model_info: { model_name: 'kws', model_version: 'v12', model_params: { labels: ['go', 'stop'] } } },
    });
  });

  it('clear_cache and clear_cache_file', async () => {
    const { router, calls } = makeTarget();
    expect((await router.handle('{"cmd":"clear_cache"}')).reply).toEqual({
      result: { clear_cache: { local: 'OK', s3: 'FAILED' } },
    });
    expect((await router.handle(`{"cmd":"clear_cache_file","value":"${UUID.toUpperCase()}"}`)).reply).toEqual({
      result: { clear_cache_file: { local: 'OK', s3: 'OK', uuid: UUID } },
    });
    expect(calls).toEqual(['clear', `clearFile:${UUID}`]);
  });

  it('reset_metrics', async () => {
    const { router, calls } = makeTarget();
    expect((await router.handle('{"cmd":"reset_metrics"}')).reply).toEqual({ result: { metrics_reset: 'OK' } });
    expect(calls).toEqual(['resetMetrics']);
  });

  it('echoes an id, string or number', async () => {
    const { router } = makeTarget();
    expect((await router.handle('{"cmd":"get_threshold_filter_criteria","id":"req-1"}')).reply).toEqual({
      result: { criteria: 'ge', id: 'req-1' },
    });
    expect((await router.handle('{"cmd":"nope","id":7}')).reply.result).toMatchObject({ cmd: 'nope', id: '7' });
  });

  it('accepts extra verbs from a component', async () => {
    const { target } = makeTarget();
    const router = new CommandRouter(target, { get_status: () => ({ status: { uptime_s: 1 } }) });
    expect((await router.handle('{"cmd":"get_status"}')).reply).toEqual({ result: { status: { uptime_s: 1 } } });
    expect(router.verbNames).toContain('restart');
  });
});

describe('CommandRouter: failures become error results and change nothing', () => {
  const cases: Array<[string, string | Buffer, RegExp, string | undefined]> = [
    [
      'unknown verb',
      '{"cmd":"format_disk"}',
      /^unknown command "format_disk"; known commands: restart, /,
      'format_disk',
    ],
    ['malformed JSON', '{"cmd":', /^command is not valid JSON/, undefined],
    ['not an object', '"restart"', /^malformed command/, undefined],
    ['missing cmd', '{"value":1}', /^malformed command \(cmd: /, undefined],
    ['cmd not a string', '{"cmd":5}', /^malformed command/, undefined],
    [
      'oversized',
      Buffer.alloc(MAX_COMMAND_BYTES + 1, 32),
      /^command too large: 16385 bytes \(at most 16384\)/,
      undefined,
    ],
    [
      'criteria invalid',
      '{"cmd":"set_threshold_filter_criteria","value":">="}',
      /^invalid criteria ">=": must be one of gt, ge, eq, le, lt/,
      'set_threshold_filter_criteria',
    ],
    [
      'criteria missing',
      '{"cmd":"set_threshold_filter_criteria"}',
      /^invalid criteria undefined/,
      'set_threshold_filter_criteria',
    ],
    [
      'confidence zero',
      '{"cmd":"set_threshold_filter_confidence","value":0}',
      /^invalid confidence 0: must be a number with 0 < x <= 1/,
      'set_threshold_filter_confidence',
    ],
    [
      'confidence above 1',
      '{"cmd":"set_threshold_filter_confidence","value":"50"}',
      /^invalid confidence "50"/,
      'set_threshold_filter_confidence',
    ],
    [
      'confidence not a number',
      '{"cmd":"set_threshold_filter_confidence","value":"high"}',
      /^invalid confidence "high"/,
      'set_threshold_filter_confidence',
    ],
    [
      'clear_cache_file path games',
      '{"cmd":"clear_cache_file","value":"../../etc/passwd"}',
      /^invalid inference id "..\/..\/etc\/passwd": must be a uuid/,
      'clear_cache_file',
    ],
    [
      'clear_cache_file substring',
      '{"cmd":"clear_cache_file","value":"3b241101"}',
      /^invalid inference id/,
      'clear_cache_file',
    ],
  ];
  it.each(cases)('%s', async (_name, raw, message, cmd) => {
    const { router, target, calls } = makeTarget();
    const before = target.filter.config;
    const outcome = await router.handle(raw);
    expect(outcome.afterReply).toBeUndefined();
    expect(outcome.reply.result.error).toMatch(message);
    expect(outcome.reply.result.cmd).toBe(cmd);
    expect(target.filter.config).toEqual(before);
    expect(calls).toEqual([]);
  });

  it('get_model_info before the model is up', async () => {
    const { router } = makeTarget({ modelInfo: () => undefined });
    expect((await router.handle('{"cmd":"get_model_info"}')).reply).toEqual({
      result: { error: 'model information is not available yet: the model is still starting', cmd: 'get_model_info' },
    });
  });

  it('cache commands on a component without caches', async () => {
    const { router } = makeTarget({ caches: undefined, componentName: 'EdgeImpulseSerialRunnerServiceComponent' });
    expect((await router.handle('{"cmd":"clear_cache"}')).reply.result).toEqual({
      error: 'clear_cache is not available: EdgeImpulseSerialRunnerServiceComponent has no cache',
      cmd: 'clear_cache',
    });
  });

  it('a failing effect is reported, not thrown', async () => {
    const { router } = makeTarget({
      caches: {
        clear: async () => {
          throw new Error('disk gone');
        },
        clearFile: async () => ({ local: 'OK', s3: 'OK' }),
      },
    });
    expect((await router.handle('{"cmd":"clear_cache"}')).reply.result).toEqual({
      error: 'disk gone',
      cmd: 'clear_cache',
    });
  });

  it('does not treat Object.prototype names as verbs', async () => {
    const { router } = makeTarget();
    expect((await router.handle('{"cmd":"constructor"}')).reply.result.error).toMatch(/^unknown command "constructor"/);
  });
});

describe('parseCommand and started', () => {
  it('keeps value and id, drops the rest', () => {
    expect(parseCommand(Buffer.from('{"cmd":" restart ","value":[1],"id":"a","extra":true}'))).toEqual({
      cmd: 'restart',
      value: [1],
      id: 'a',
    });
  });
  it('builds the started message', () => {
    expect(startedReply('id-1', 42)).toEqual({ result: { status: 'started', ts: 42, id: 'id-1' } });
  });
});
