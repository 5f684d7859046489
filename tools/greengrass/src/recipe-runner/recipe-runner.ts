import type { ProcessExit } from '@ei-gg/core';
import { IpcEndpoint, type IotCoreBridge, type SecretsOption } from '@ei-gg/testbench';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { localArchitecture, type Architecture } from '../packaging/architectures';
import type { Recipe } from '../recipe/recipe-types';
import { LITE_RECIPE_LIMIT_BYTES } from '../recipe/validate-recipe';
import { LifecycleProcess } from './lifecycle-process';
import { mergeConfiguration } from './merge-configuration';
import {
  defaultConfiguration,
  dependencyNames,
  field,
  RecipeRefused,
  selectManifest,
  type NucleusKind,
  type RawRecipe,
  type SelectedManifest,
  type SelectedStep,
  type StepName,
} from './read-recipe';
import { interpolateRecipeVariables, UnresolvedVariable, type RecipeVariableValues } from './recipe-variables';
import { ClassicErrorCount, LITE_RESTART_DELAY_MS, SystemdStartLimit, type RestartPolicy } from './restart-policy';
import { sandboxedCommand, type Sandbox } from './sandbox';
import { unpackZipArtifact } from './unpack-zip';

export type { NucleusKind, StepName } from './read-recipe';

export interface RecipeRunnerOptions {
  /** A generated recipe and the artifacts tree beside it (greengrass-cli's --recipeDir / --artifactDir). */
  recipePath: string;
  artifactsDir: string;
  /** An empty directory that plays the nucleus root (packages/, work/). */
  rootDir: string;
  thingName: string;
  /** Which nucleus to behave like (default `classic`, the Java nucleus); see NucleusKind. */
  nucleus?: NucleusKind;
  /**
   * The architecture the nucleus reports, which picks the manifest (default this machine's). Another one's
   * artifact runs only where the kernel can execute it (e.g. aarch64 under qemu-user through binfmt_misc).
   */
  architecture?: Architecture;
  /** The deployment's configuration merge over the recipe's DefaultConfiguration. */
  configurationMerge?: Record<string, unknown>;
  /** IoT Core behind PublishToIoTCore / SubscribeToIoTCore (default: in memory). */
  iotCore?: IotCoreBridge;
  /** What GetSecretValue serves (aws.greengrass.SecretManager's cloudSecrets); Nucleus Lite answers it as unsupported. */
  secrets?: SecretsOption;
  /** The classic nucleus's `interpolateComponentConfiguration` (default false: `{iot:thingName}` in accessControl stays literal). */
  interpolateComponentConfiguration?: boolean;
  /** AWS_REGION and AWS_DEFAULT_REGION (default us-east-1, the classic nucleus's fallback region). */
  region?: string;
  /** GG_ROOT_CA_PATH (default `<rootDir>/rootCA.pem`, where the installers put it). */
  rootCaPath?: string;
  /** Nucleus Lite's RestartSec before a failed step starts again (default 1 s). */
  restartDelayMs?: number;
  sandbox?: Sandbox;
}

export interface StepResult {
  wallMs: number;
  output: string;
  /** How many times the step ran (install is retried as the nucleus retries it). */
  attempts: number;
}

export interface RecoverResult {
  wallMs: number;
  output: string;
  /** 'timeout': still running after its Timeout; the nucleus then goes on and stops it, and so does the runner. */
  exit: ProcessExit | 'timeout';
}

/** The install step failed until the component was BROKEN: the deployment fails. */
export class InstallFailed extends Error {
  constructor(
    readonly attempts: Array<{ exit: ProcessExit | 'timeout'; output: string }>,
    nucleus: NucleusKind,
  ) {
    const last = attempts.at(-1);
    super(
      `install failed ${attempts.length} times, BROKEN (${nucleus} nucleus): ${describeExit(last?.exit)}:\n${last?.output ?? ''}`,
    );
  }
}

/** The nucleus's view of the steps. */
export interface RecipeRunnerEvents {
  /**
   * A step exited with an error (non-zero, or a signal the nucleus did not send; for Nucleus Lite, systemd's
   * clean signals SIGTERM, SIGINT, SIGHUP and SIGPIPE are no error): ERRORED, and it will be retried.
   */
  errored: [exit: ProcessExit, step: StepName];
  /** The classic nucleus ran recover (after an errored install or run, before retrying it). */
  recovered: [result: RecoverResult];
  /** Run started again after an error. */
  restarted: [run: LifecycleProcess];
  /** The step failed once too often (see restart-policy.ts): BROKEN, nothing more runs until a new deployment. */
  broken: [exit: ProcessExit, step: StepName];
}

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Default step timeouts: the classic nucleus (Lifecycle.java: install 120 s, recover 60 s), Lite (every step 120 s). */
const DEFAULT_TIMEOUT_S: Record<NucleusKind, Partial<Record<StepName, number>>> = {
  classic: { install: 120, recover: 60 },
  lite: { install: 120 },
};
/** GGC_VERSION as each nucleus sets it (its own version). */
const NUCLEUS_VERSION: Record<NucleusKind, string> = { classic: '2.14.0', lite: '2.6.0' };
const CLEAN_SIGNALS: ReadonlyArray<NodeJS.Signals> = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGPIPE'];

/**
 * Plays the nucleus for one component on this machine, as the classic (Java) nucleus or as Nucleus Lite: reads
 * the recipe as that nucleus does (keys, size, manifest selection), checks and unpacks the artifacts into an
 * empty root, serves IPC (configuration, IoT Core, UpdateState; GetSecretValue and shadows on the classic
 * nucleus only) with the recipe's accessControl enforced, and runs install and run with recipe variables
 * interpolated and the component environment set. A failed step is retried as that nucleus retries it (the
 * classic nucleus runs recover first; Lite is systemd's Restart=on-failure) until the component is BROKEN.
 * Steps run as the calling user (the nucleus runs run as ggc_user or ggcore).
 */
export class RecipeRunner extends EventEmitter<RecipeRunnerEvents> {
  private running: LifecycleProcess | undefined;
  private recovering: LifecycleProcess | undefined;
  /** The recovery and restart under way after run errored. */
  private supervision: Promise<void> = Promise.resolve();
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private readonly policies: Record<'install' | 'run', RestartPolicy>;

  private constructor(
    /** The recipe as read; with the classic nucleus its keys may be in any case. */
    readonly recipe: Recipe,
    readonly nucleus: NucleusKind,
    readonly manifest: SelectedManifest,
    readonly endpoint: IpcEndpoint,
    readonly variables: RecipeVariableValues,
    /** The component environment every step gets, before Setenv. */
    readonly environment: Record<string, string>,
    private readonly options: RecipeRunnerOptions,
  ) {
    super();
    this.policies =
      nucleus === 'lite'
        ? { install: new SystemdStartLimit(), run: new SystemdStartLimit() }
        : { install: new ClassicErrorCount(), run: new ClassicErrorCount() };
  }

  static async prepare(options: RecipeRunnerOptions): Promise<RecipeRunner> {
    const nucleus = options.nucleus ?? 'classic';
    const size = statSync(options.recipePath).size;
    if (nucleus === 'lite' && size > LITE_RECIPE_LIMIT_BYTES) {
      // modules/ggl-recipe/src/recipe.c reads it into `static uint8_t file_mem[8196]`; gg_file_read_path_at logs this.
      throw new RecipeRefused(
        nucleus,
        `"Insufficient memory for file ${basename(options.recipePath)}." (${size} bytes; it reads recipes into an ${LITE_RECIPE_LIMIT_BYTES}-byte buffer)`,
      );
    }
    const raw = parse(readFileSync(options.recipePath, 'utf8'), { version: '1.1' }) as RawRecipe;
    const manifest = selectManifest(raw, nucleus, options.architecture ?? localArchitecture());
    if (manifest.steps.run === undefined && manifest.steps.install === undefined)
      throw new RecipeRefused(nucleus, 'the selected manifest has neither install nor run');

    const name = String(field(raw, 'ComponentName', nucleus));
    const version = String(field(raw, 'ComponentVersion', nucleus));
    const artifactsPath = join(options.rootDir, 'packages', 'artifacts', name, version);
    const decompressedPath = join(options.rootDir, 'packages', 'artifacts-unarchived', name, version);
    const workPath = join(options.rootDir, 'work', name);
    for (const dir of [artifactsPath, decompressedPath, workPath]) mkdirSync(dir, { recursive: true });
    for (const artifact of manifest.artifacts) {
      const fileName = artifactFileName(artifact.Uri);
      const local = join(artifactsPath, fileName);
      copyFileSync(join(options.artifactsDir, name, version, fileName), local);
      const digest = createHash('sha256').update(readFileSync(local)).digest('base64');
      if (artifact.Digest !== '' && digest !== artifact.Digest)
        throw new Error(`${fileName}: SHA-256 ${digest} differs from the recipe's ${artifact.Digest}`);
      if (artifact.Unarchive === 'ZIP')
        await unpackZipArtifact(
          local,
          unarchivedPath(decompressedPath, fileName),
          artifact.Permission ?? { Read: 'OWNER', Execute: 'NONE' },
        );
    }

    const configuration = mergeConfiguration(
      defaultConfiguration(raw, nucleus),
      options.configurationMerge ?? {},
      nucleus === 'classic',
    );
    // The endpoint enforces the configuration's accessControl (and follows it), answers as this nucleus does, and
    // serves the token exchange service; its `env` is what both nuclei give every step.
    const endpoint = await IpcEndpoint.start({
      componentName: name,
      configuration,
      thingName: options.thingName,
      region: options.region ?? 'us-east-1',
      rootCaPath: options.rootCaPath ?? join(options.rootDir, 'rootCA.pem'),
      nucleus,
      interpolateComponentConfiguration: nucleus === 'classic' && (options.interpolateComponentConfiguration ?? false),
      ...(options.iotCore ? { iotCore: options.iotCore } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
    });
    const variables = {
      artifactsPath,
      decompressedPath,
      workPath,
      kernelRootPath: options.rootDir,
      thingName: options.thingName,
      configuration,
    };
    // The classic nucleus sets AWS_CONTAINER_CREDENTIALS_FULL_URI for every component once TES runs; Lite's recipe
    // runner only for a component that depends on aws.greengrass.TokenExchangeService (modules/recipe-runner/src/runner.c).
    const { AWS_CONTAINER_CREDENTIALS_FULL_URI: tesUri, ...ipcEnv } = endpoint.env;
    const withTes =
      nucleus === 'classic' || dependencyNames(raw, nucleus).includes('aws.greengrass.TokenExchangeService');
    const environment: Record<string, string> = {
      PATH: SYSTEM_PATH,
      ...(ipcEnv as Record<string, string>),
      GGC_VERSION: NUCLEUS_VERSION[nucleus],
      ...(withTes ? { AWS_CONTAINER_CREDENTIALS_FULL_URI: tesUri } : {}),
    };
    return new RecipeRunner(raw as unknown as Recipe, nucleus, manifest, endpoint, variables, environment, options);
  }

  /** Where the manifest's ZIP artifact `index` is unpacked: `{artifacts:decompressedPath}/<zip name>`. */
  unarchivedPath(index = 0): string {
    return unarchivedPath(this.variables.decompressedPath, artifactFileName(this.manifest.artifacts[index].Uri));
  }

  /**
   * Runs the install step as the nucleus does until it succeeds or the component is BROKEN: the classic nucleus
   * runs recover after each failure (Lifecycle.java, handleCurrentStateErrored from NEW) and breaks at the third
   * error; Lite restarts the oneshot unit after RestartSec and breaks after three starts. A step that outlives its
   * Timeout (default 120 s) failed. Rejects with InstallFailed, which carries every attempt's output.
   */
  async install(): Promise<StepResult> {
    const step = this.manifest.steps.install;
    if (step === undefined) return { wallMs: 0, output: '', attempts: 0 };
    const started = Date.now();
    const attempts: InstallFailed['attempts'] = [];
    const policy = this.policies.install;
    if (policy instanceof SystemdStartLimit) policy.reset();
    for (;;) {
      policy.started(Date.now());
      const process = await this.spawnStep(step, 'install');
      const exit = await this.waitWithTimeout(process, step, 'install');
      if (exit !== 'timeout' && exit.code === 0) {
        policy.settled();
        return { wallMs: Date.now() - started, output: process.output, attempts: attempts.length + 1 };
      }
      attempts.push({ exit, output: process.output });
      const stepExit = exit === 'timeout' ? { code: null, signal: 'SIGKILL' as const } : exit;
      if (policy.failed(Date.now()) === 'broken') {
        this.emit('broken', stepExit, 'install');
        throw new InstallFailed(attempts, this.nucleus);
      }
      this.emit('errored', stepExit, 'install');
      if (this.nucleus === 'classic') {
        const recovery = await this.recover();
        if (recovery !== undefined) this.emit('recovered', recovery);
      } else {
        await this.pause(this.options.restartDelayMs ?? LITE_RESTART_DELAY_MS);
      }
    }
  }

  /** Starts the run step, as a deployment does; `stop()` ends it as the nucleus does (SIGTERM, then SIGKILL). */
  async start(): Promise<LifecycleProcess> {
    if (this.running?.running) throw new Error('run is already running');
    this.stopping = false;
    const policy = this.policies.run;
    if (policy instanceof SystemdStartLimit) policy.reset();
    return this.launchRun();
  }

  /**
   * Runs the recover step, as the classic nucleus does when the component is ERRORED: waits for it up to its
   * Timeout (default 60 s), then stops it. Its exit code changes nothing. Undefined without a recover step, and
   * always with Nucleus Lite, which has no recover phase.
   */
  async recover(): Promise<RecoverResult | undefined> {
    const step = this.manifest.steps.recover;
    if (step === undefined || this.nucleus === 'lite') return undefined;
    const started = Date.now();
    const process = await this.spawnStep(step, 'recover');
    this.recovering = process;
    const exit = await this.waitWithTimeout(process, step, 'recover');
    return { wallMs: Date.now() - started, output: process.output, exit };
  }

  /** Runs any script in the steps' sandbox and environment (e.g. to check what a step can see). */
  async exec(script: string): Promise<{ exit: ProcessExit; output: string }> {
    const process = await this.spawnStep({ script, setenv: {} }, 'run');
    const exit = await process.exited;
    return { exit, output: process.output };
  }

  /** Stops run (and a recovery or restart under way, which then restarts nothing). */
  async stop(graceMs?: number): Promise<ProcessExit | undefined> {
    this.stopping = true;
    this.wakeUp?.();
    if (this.recovering?.running) await this.recovering.stop(graceMs);
    await this.supervision;
    this.policies.run.settled(); // stopped on purpose: the classic nucleus clears RUNNING's errors
    return this.running?.running ? this.running.stop(graceMs) : undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.endpoint.close();
  }

  private async launchRun(): Promise<LifecycleProcess> {
    const step = this.manifest.steps.run;
    if (step === undefined) throw new Error(`${this.recipe.ComponentName} has no run step`);
    this.policies.run.started(Date.now());
    const run = await this.spawnStep(step, 'run');
    this.running = run;
    void run.exited.then((exit) => {
      if (this.stopping || run !== this.running || !this.isFailure(exit)) return; // stopped, or FINISHED
      this.supervision = this.afterRunFailed(exit).catch((error: Error) => {
        process.stderr.write(`recipe runner: restarting ${this.recipe.ComponentName} failed: ${error.message}\n`);
      });
    });
    return run;
  }

  /** ERRORED: retry (the classic nucleus runs recover first; Lite waits RestartSec), or BROKEN. */
  private async afterRunFailed(exit: ProcessExit): Promise<void> {
    if (this.policies.run.failed(Date.now()) === 'broken') {
      this.emit('broken', exit, 'run');
      return;
    }
    this.emit('errored', exit, 'run');
    if (this.nucleus === 'classic') {
      const recovery = await this.recover();
      if (recovery !== undefined) this.emit('recovered', recovery);
    } else {
      await this.pause(this.options.restartDelayMs ?? LITE_RESTART_DELAY_MS);
    }
    if (this.stopping) return;
    this.emit('restarted', await this.launchRun());
  }

  /** Whether the nucleus takes this exit as an error (Lite: systemd's Restart=on-failure). */
  private isFailure(exit: ProcessExit): boolean {
    if (exit.code === 0) return false;
    return !(this.nucleus === 'lite' && exit.signal !== null && CLEAN_SIGNALS.includes(exit.signal));
  }

  private async waitWithTimeout(
    process: LifecycleProcess,
    step: SelectedStep,
    name: StepName,
  ): Promise<ProcessExit | 'timeout'> {
    const seconds = step.timeoutSeconds ?? DEFAULT_TIMEOUT_S[this.nucleus][name];
    if (seconds === undefined) return process.exited;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), seconds * 1000)),
    );
    const exit = await Promise.race([process.exited, timedOut]);
    clearTimeout(timer);
    if (exit === 'timeout') await process.stop(1000);
    return exit;
  }

  /** Waits `ms` (Lite's RestartSec), or less when stopped meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async spawnStep(step: SelectedStep, name: StepName): Promise<LifecycleProcess> {
    const interpolate = (text: string) => interpolateRecipeVariables(text, this.variables, this.nucleus);
    let script: string;
    let setenv: Record<string, string>;
    try {
      setenv = Object.fromEntries(
        Object.entries({ ...this.manifest.setenv, ...step.setenv }).map(([key, value]) => [key, interpolate(value)]),
      );
      script = interpolate(step.script);
    } catch (error) {
      if (!(error instanceof UnresolvedVariable)) throw error;
      // Lite's recipe runner fails before the script runs ("Failed to process lifecycle phase"): the step fails.
      setenv = { EI_GG_RUNNER_ERROR: `${error.message}: Failed to process lifecycle phase: ${name}` };
      script = 'echo "$EI_GG_RUNNER_ERROR" >&2; exit 1';
    }
    const argv = sandboxedCommand(script, this.options.sandbox);
    return LifecycleProcess.spawn(argv, { cwd: this.variables.workPath, env: { ...this.environment, ...setenv } });
  }
}

const artifactFileName = (uri: string): string => basename(new URL(uri).pathname);
const unarchivedPath = (decompressedPath: string, fileName: string): string =>
  join(decompressedPath, fileName.replace(/\.zip$/i, ''));

function describeExit(exit: ProcessExit | 'timeout' | undefined): string {
  if (exit === undefined) return 'no attempt';
  if (exit === 'timeout') return 'timed out';
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}
