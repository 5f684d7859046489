import { validateDesired } from '../../src/shadow/shadow-settings';

describe('validateDesired', () => {
  it('parses the settable keys like configuration and rejects the rest one by one, with the reason', () => {
    const { values, rejected } = validateDesired('linux-runner', {
      enable_threshold_limit: 'yes',
      default_threshold: 85,
      threshold_criteria: 'LT',
      iotcore_backoff: 'often',
      inference_mode: 'triggered',
      input: 'camera',
      removed: null,
    });
    expect(values).toEqual({
      enable_threshold_limit: true,
      default_threshold: 0.85,
      threshold_criteria: 'lt',
      inference_mode: 'triggered',
    });
    expect(rejected).toEqual({
      iotcore_backoff: { value: 'often', error: 'must be an integer' },
      input: {
        value: 'camera',
        error:
          'not settable through the shadow; settable keys: enable_threshold_limit, default_threshold, threshold_criteria, iotcore_backoff, inference_mode',
      },
    });
  });

  it('rejects an unknown inference mode naming the allowed ones', () => {
    expect(validateDesired('serial-runner', { inference_mode: 'sometimes' }).rejected).toEqual({
      inference_mode: { value: 'sometimes', error: 'must be continuous or triggered' },
    });
  });
});
