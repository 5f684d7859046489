/** `continuous`: classify the input without pause; `triggered`: classify once per inference request. */
export const INFERENCE_MODES = ['continuous', 'triggered'] as const;
export type InferenceMode = (typeof INFERENCE_MODES)[number];
