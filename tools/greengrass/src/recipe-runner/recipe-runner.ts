import { IpcEndpoint, type IotCoreBridge, type SecretsOption } from '@ei-gg/testbench';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { localArchitecture } from '../packaging/architectures';
import { parseRecipe } from '../recipe/recipe-yaml';
import type { LifecycleStep, Recipe, RecipeManifest } from '../recipe/recipe-types';
import { LifecycleProcess, type StepExit } from './lifecycle-process';
import { mergeConfiguration } from './merge-configuration';
import { interpolateRecipeVariables, type RecipeVariableValues } from './recipe-variables';
import { sandboxedCommand, type Sandbox } from './sandbox';
import { unpackZipArtifact } from './unpack-zip';

export interface RecipeRunnerOptions {
  /** A generated recipe and the artifacts tree beside it (greengrass-cli's --recipeDir / --artifactDir). */
  recipePath: string;
  artifactsDir: string;
  /** An empty directory that plays the nucleus root (packages/, work/). */
  rootDir: string;
  thingName: string;
  /** The deployment's configuration merge over the recipe's DefaultConfiguration. */
  configurationMerge?: Record<string, unknown>;
  /** IoT Core behind PublishToIoTCore / SubscribeToIoTCore (default: in memory). */
  iotCore?: IotCoreBridge;
  /** What GetSecretValue serves (aws.greengrass.SecretManager's cloudSecrets). */
  secrets?: SecretsOption;
  sandbox?: Sandbox;
}

export interface StepResult {
  wallMs: number;
  output: string;
}

export interface RecoverResult extends StepResult {
  /** 'timeout': still running after its Timeout; the nucleus then goes on and stops it, and so does the runner. */
  exit: StepExit | 'timeout';
}

/** The nucleus's view of Run (it restarts an ERRORED component after its Recover step). */
export interface RecipeRunnerEvents {
  /** Run exited with an error (non-zero or a signal) without being stopped: ERRORED; Recover runs next. */
  errored: [exit: StepExit];
  recovered: [result: RecoverResult];
  /** Run started again after a recovery. */
  restarted: [run: LifecycleProcess];
  /** ERRORED three times within an hour: BROKEN, no Recover and no restart until the next deployment. */
  broken: [exit: StepExit];
}

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** The classic nucleus's Lifecycle constants: Recover's default Timeout, errors before BROKEN and their window. */
const RECOVER_TIMEOUT_DEFAULT_S = 60;
const ERRORS_BEFORE_BROKEN = 3;
const ERROR_WINDOW_MS = 3600_000;

/**
 * Plays the nucleus for one component on this machine: picks the manifest for the local architecture, checks
 * and unpacks its artifacts into an empty root, serves IPC (configuration, IoT Core, UpdateState) with the
 * recipe's accessControl enforced, and runs Install and Run with recipe variables interpolated and the
 * component environment set. Like the nucleus, when Run exits with an error it runs Recover and starts Run
 * again (Install is not repeated). Steps run as the calling user (the nucleus would run Run as ggc_user).
 */
export class RecipeRunner extends EventEmitter<RecipeRunnerEvents> {
  private running: LifecycleProcess | undefined;
  private recovering: LifecycleProcess | undefined;
  /** The recovery and restart under way after Run errored. */
  private supervision: Promise<void> = Promise.resolve();
  private stopping = false;
  private errorTimes: number[] = [];

  private constructor(
    readonly recipe: Recipe,
    readonly manifest: RecipeManifest,
    readonly endpoint: IpcEndpoint,
    readonly variables: RecipeVariableValues,
    private readonly options: RecipeRunnerOptions,
  ) {
    super();
  }

  static async prepare(options: RecipeRunnerOptions): Promise<RecipeRunner> {
    const recipe = parseRecipe(readFileSync(options.recipePath, 'utf8'));
    const arch = localArchitecture();
    const manifest = recipe.Manifests.find((m) => m.Platform.os === 'linux' && m.Platform.architecture === arch);
    if (manifest === undefined) throw new Error(`${recipe.ComponentName} has no manifest for linux/${arch}`);

    const name = recipe.ComponentName;
    const version = recipe.ComponentVersion;
    const artifactsPath = join(options.rootDir, 'packages', 'artifacts', name, version);
    const decompressedPath = join(options.rootDir, 'packages', 'artifacts-unarchived', name, version);
    const workPath = join(options.rootDir, 'work', name);
    for (const dir of [artifactsPath, decompressedPath, workPath]) mkdirSync(dir, { recursive: true });
    for (const artifact of manifest.Artifacts) {
      const fileName = artifactFileName(artifact.URI);
      const local = join(artifactsPath, fileName);
      copyFileSync(join(options.artifactsDir, name, version, fileName), local);
      const digest = createHash('sha256').update(readFileSync(local)).digest('base64');
      if (digest !== artifact.Digest)
        throw new Error(`${fileName}: SHA-256 ${digest} differs from the recipe's ${artifact.Digest}`);
      if (artifact.Unarchive === 'ZIP')
        await unpackZipArtifact(local, unarchivedPath(decompressedPath, fileName), artifact.Permission);
    }

    const configuration = mergeConfiguration(
      recipe.ComponentConfiguration.DefaultConfiguration,
      options.configurationMerge ?? {},
    );
    const endpoint = await IpcEndpoint.start({
      componentName: name,
      configuration,
      policy: configuration.accessControl as never,
      thingName: options.thingName,
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
    return new RecipeRunner(recipe, manifest, endpoint, variables, options);
  }

  /** Where the manifest's ZIP artifact `index` is unpacked: `{artifacts:decompressedPath}/<zip name>`. */
  unarchivedPath(index = 0): string {
    return unarchivedPath(this.variables.decompressedPath, artifactFileName(this.manifest.Artifacts[index].URI));
  }

  /** Runs the Install step to completion; a non-zero exit or its Timeout is an error carrying its output. */
  async install(): Promise<StepResult> {
    const started = Date.now();
    const step = await this.spawnStep(this.manifest.Lifecycle.Install);
    const timeoutMs = (step.timeoutSeconds ?? 120) * 1000;
    const timer = setTimeout(() => void step.process.stop(1000), timeoutMs);
    const exit = await step.process.exited;
    clearTimeout(timer);
    const result = { wallMs: Date.now() - started, output: step.process.output };
    if (exit.code !== 0) throw new Error(`Install failed (${describeExit(exit)}):\n${result.output}`);
    return result;
  }

  /** Starts the Run step; `stop()` ends it as the nucleus does (SIGTERM, then SIGKILL). */
  async start(): Promise<LifecycleProcess> {
    if (this.running?.running) throw new Error('Run is already running');
    this.stopping = false;
    return this.launchRun();
  }

  /**
   * Runs the Recover step, as the nucleus does when the component is ERRORED: waits for it up to its Timeout
   * (default 60 s), then stops it. Its exit code changes nothing. Undefined when the recipe has no Recover.
   */
  async recover(): Promise<RecoverResult | undefined> {
    const step = this.manifest.Lifecycle.Recover as LifecycleStep | undefined;
    if (step === undefined) return undefined;
    const started = Date.now();
    const { process, timeoutSeconds } = await this.spawnStep(step);
    this.recovering = process;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), (timeoutSeconds ?? RECOVER_TIMEOUT_DEFAULT_S) * 1000)),
    );
    const exit = await Promise.race([process.exited, timedOut]);
    clearTimeout(timer);
    if (exit === 'timeout') await process.stop(1000);
    return { wallMs: Date.now() - started, output: process.output, exit };
  }

  /** Runs any script in the steps' sandbox and environment (e.g. to check what a step can see). */
  async exec(script: string): Promise<{ exit: StepExit; output: string }> {
    const process = (await this.spawnStep({ Script: script })).process;
    const exit = await process.exited;
    return { exit, output: process.output };
  }

  /** Stops Run (and a recovery under way, which then restarts nothing). */
  async stop(graceMs?: number): Promise<StepExit | undefined> {
    this.stopping = true;
    if (this.recovering?.running) await this.recovering.stop(graceMs);
    await this.supervision;
    return this.running?.running ? this.running.stop(graceMs) : undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.endpoint.close();
  }

  private async launchRun(): Promise<LifecycleProcess> {
    const run = (await this.spawnStep(this.manifest.Lifecycle.Run)).process;
    this.running = run;
    void run.exited.then((exit) => {
      if (this.stopping || run !== this.running || (exit.code === 0 && exit.signal === null)) return; // stopped, or FINISHED
      this.supervision = this.recoverAndRestart(exit).catch((error: Error) => {
        process.stderr.write(`recipe runner: recovering ${this.recipe.ComponentName} failed: ${error.message}\n`);
      });
    });
    return run;
  }

  /** ERRORED: Recover, then Run again; BROKEN on the third error within the hour (the nucleus's rule). */
  private async recoverAndRestart(exit: StepExit): Promise<void> {
    const now = Date.now();
    this.errorTimes = [...this.errorTimes.filter((time) => now - time < ERROR_WINDOW_MS), now];
    if (this.errorTimes.length >= ERRORS_BEFORE_BROKEN) {
      this.emit('broken', exit);
      return;
    }
    this.emit('errored', exit);
    const recovery = await this.recover();
    if (recovery !== undefined) this.emit('recovered', recovery);
    if (this.stopping) return;
    this.emit('restarted', await this.launchRun());
  }

  private async spawnStep(step: LifecycleStep): Promise<{ process: LifecycleProcess; timeoutSeconds?: number }> {
    const interpolate = (text: string) => interpolateRecipeVariables(text, this.variables);
    const setenv = Object.fromEntries(
      Object.entries(step.Setenv ?? {}).map(([key, value]) => [key, interpolate(value)]),
    );
    const env = {
      PATH: SYSTEM_PATH,
      ...this.endpoint.env,
      AWS_IOT_THING_NAME: this.options.thingName,
      AWS_REGION: 'us-east-1',
      ...setenv,
    };
    const argv = sandboxedCommand(interpolate(step.Script), this.options.sandbox);
    return {
      process: await LifecycleProcess.spawn(argv, { cwd: this.variables.workPath, env }),
      timeoutSeconds: step.Timeout,
    };
  }
}

const artifactFileName = (uri: string): string => basename(new URL(uri).pathname);
const unarchivedPath = (decompressedPath: string, fileName: string): string =>
  join(decompressedPath, fileName.replace(/\.zip$/i, ''));

function describeExit(exit: StepExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}
