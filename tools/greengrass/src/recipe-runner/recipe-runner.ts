import { IpcEndpoint, type IotCoreBridge, type SecretsOption } from '@ei-gg/testbench';
import { createHash } from 'node:crypto';
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

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Plays the nucleus for one component on this machine: picks the manifest for the local architecture, checks
 * and unpacks its artifacts into an empty root, serves IPC (configuration, IoT Core, UpdateState) with the
 * recipe's accessControl enforced, and runs Install and Run with recipe variables interpolated and the
 * component environment set. Steps run as the calling user (the nucleus would run Run as ggc_user).
 */
export class RecipeRunner {
  private running: LifecycleProcess | undefined;

  private constructor(
    readonly recipe: Recipe,
    readonly manifest: RecipeManifest,
    readonly endpoint: IpcEndpoint,
    readonly variables: RecipeVariableValues,
    private readonly options: RecipeRunnerOptions,
  ) {}

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
      if (digest !== artifact.Digest) throw new Error(`${fileName}: SHA-256 ${digest} differs from the recipe's ${artifact.Digest}`);
      if (artifact.Unarchive === 'ZIP') await unpackZipArtifact(local, unarchivedPath(decompressedPath, fileName), artifact.Permission);
    }

    const configuration = mergeConfiguration(recipe.ComponentConfiguration.DefaultConfiguration, options.configurationMerge ?? {});
    const endpoint = await IpcEndpoint.start({
      componentName: name,
      configuration,
      policy: configuration.accessControl as never,
      thingName: options.thingName,
      ...(options.iotCore ? { iotCore: options.iotCore } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
    });
    const variables = { artifactsPath, decompressedPath, workPath, kernelRootPath: options.rootDir, thingName: options.thingName, configuration };
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
    this.running = (await this.spawnStep(this.manifest.Lifecycle.Run)).process;
    return this.running;
  }

  /** Runs any script in the steps' sandbox and environment (e.g. to check what a step can see). */
  async exec(script: string): Promise<{ exit: StepExit; output: string }> {
    const process = (await this.spawnStep({ Script: script })).process;
    const exit = await process.exited;
    return { exit, output: process.output };
  }

  async stop(graceMs?: number): Promise<StepExit | undefined> {
    return this.running?.running ? this.running.stop(graceMs) : undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.endpoint.close();
  }

  private async spawnStep(step: LifecycleStep): Promise<{ process: LifecycleProcess; timeoutSeconds?: number }> {
    const interpolate = (text: string) => interpolateRecipeVariables(text, this.variables);
    const setenv = Object.fromEntries(Object.entries(step.Setenv ?? {}).map(([key, value]) => [key, interpolate(value)]));
    const env = {
      PATH: SYSTEM_PATH,
      ...this.endpoint.env,
      AWS_IOT_THING_NAME: this.options.thingName,
      AWS_REGION: 'us-east-1',
      ...setenv,
    };
    const argv = sandboxedCommand(interpolate(step.Script), this.options.sandbox);
    return { process: await LifecycleProcess.spawn(argv, { cwd: this.variables.workPath, env }), timeoutSeconds: step.Timeout };
  }
}

const artifactFileName = (uri: string): string => basename(new URL(uri).pathname);
const unarchivedPath = (decompressedPath: string, fileName: string): string => join(decompressedPath, fileName.replace(/\.zip$/i, ''));

function describeExit(exit: StepExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}
