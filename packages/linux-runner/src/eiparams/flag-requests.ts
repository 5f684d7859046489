/** How a camera frame is fitted to the model's input (edge-impulse-linux's `image_resize_mode`). */
export const RESIZE_MODES = ['squash', 'fit-shortest', 'fit-longest'] as const;
export type ResizeMode = (typeof RESIZE_MODES)[number];

/** The model variants Studio builds (its `modelType`). */
export const MODEL_VARIANTS = ['int8', 'float32', 'akida'] as const;
export type ModelVariant = (typeof MODEL_VARIANTS)[number];

/** Whether the model's features travel through shared memory (edge-impulse-linux's `shmBehavior`). */
export const SHM_BEHAVIORS = ['auto', 'always', 'never'] as const;
export type ShmBehavior = (typeof SHM_BEHAVIORS)[number];

export const RUN_MODES = ['streaming', 'http-server'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/** One learn block threshold the model is given at start (`set_threshold`). */
export interface ModelThreshold {
  blockId: number;
  key: string;
  value: number;
}

/**
 * What the honoured flags of `eiparams` ask for, before they meet the configuration keys
 * (runnerSettings decides what wins).
 */
export interface FlagRequests {
  modelFile?: string;
  target?: string;
  engine?: string;
  variant?: ModelVariant;
  quantized?: boolean;
  impulseId?: number;
  camera?: string;
  cameraResolution?: { width: number; height: number };
  gstLaunchArgs?: string[];
  gstSource?: string[];
  fakeCamera?: string;
  microphone?: string;
  resizeMode?: ResizeMode;
  thresholds?: ModelThreshold[];
  verbose?: boolean;
  previewPort?: number | 'off';
  previewHost?: string;
  previewOriginalResolution?: boolean;
  httpServerPort?: number | 'off';
  mode?: RunMode;
  shm?: ShmBehavior;
}
