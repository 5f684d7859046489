import { LinuxRunnerError } from '../errors';

/** Edge Impulse Studio's REST API, as its official SDK calls it; tests point `baseUrl` at a local stand-in. */
export const STUDIO_URL = 'https://studio.edgeimpulse.com/v1';

export interface StudioApiOptions {
  baseUrl: string;
  /** Sent as the `x-api-key` header only; never in a URL, a log line or an error. */
  apiKey: string;
  /** How often a build job's status is asked for. */
  pollMs?: number;
  /** A build that takes longer fails the download. */
  buildTimeoutMs?: number;
}

/** Which build of the project's model: a deployment target, and what the runner's flags may force. */
export interface DeploymentChoice {
  /** Deployment target, e.g. `runner-linux-aarch64`. */
  type: string;
  /** Studio's `modelType`: int8, float32, akida. */
  variant?: string;
  /** Inference engine of a build, e.g. `tflite`. */
  engine?: string;
  impulseId?: number;
}

/** Studio's answers are read as unknown JSON and narrowed field by field: nothing is trusted by shape. */
type Json = Record<string, unknown>;

/** The query that names a build, as edge-impulse-linux-runner sends it (the engine only matters to a build job). */
function buildQuery({ type, variant, impulseId }: DeploymentChoice): Record<string, string> {
  return {
    type,
    ...(variant ? { modelType: variant } : {}),
    ...(impulseId !== undefined ? { impulseId: String(impulseId) } : {}),
  };
}

function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The few calls the runner needs: the key's project (`GET /api/projects`), the latest deployment of a type
 * (`GET /api/{projectId}/deployment`), a build when there is none (`POST /api/{projectId}/jobs/build-ondevice-model`,
 * then `GET /api/{projectId}/jobs/{jobId}/status` until finished), and the `.eim` (`GET .../deployment/download`).
 */
export class StudioApi {
  constructor(private readonly options: StudioApiOptions) {}

  /** An API key belongs to one project. */
  async projectId(): Promise<number> {
    const { projects } = await this.json('GET', '/api/projects');
    const first: unknown = Array.isArray(projects) ? projects[0] : undefined;
    const id = isJsonObject(first) ? first.id : undefined;
    if (typeof id !== 'number') throw this.failure('the API key gives access to no project', { path: '/api/projects' });
    return id;
  }

  /** The latest deploy version of this build, or undefined when Studio has no such build. */
  async latestVersion(projectId: number, choice: DeploymentChoice): Promise<number | undefined> {
    const response = await this.json('GET', `/api/${projectId}/deployment`, buildQuery(choice));
    return response.hasDeployment && typeof response.version === 'number' ? response.version : undefined;
  }

  /** Starts this build and waits for it to finish successfully. */
  async build(projectId: number, choice: DeploymentChoice): Promise<void> {
    const { type, impulseId, engine = 'tflite', variant } = choice;
    const path = `/api/${projectId}/jobs/build-ondevice-model`;
    const query = { type, ...(impulseId !== undefined ? { impulseId: String(impulseId) } : {}) };
    const body = { engine, ...(variant ? { modelType: variant } : {}) };
    const { id: jobId } = await this.json('POST', path, query, body);
    if (typeof jobId !== 'number') throw this.failure(`Studio started a build of ${type} without a job id`, { path });
    const deadline = performance.now() + (this.options.buildTimeoutMs ?? 15 * 60_000);
    for (;;) {
      const { job } = await this.json('GET', `/api/${projectId}/jobs/${jobId}/status`);
      if (isJsonObject(job) && job.finished) {
        if (job.finishedSuccessful) return;
        throw this.failure(`the build job ${jobId} for ${type} failed in Studio`, { jobId });
      }
      if (performance.now() > deadline)
        throw this.failure(`the build job ${jobId} for ${type} did not finish in time`, { jobId });
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 2_000));
    }
  }

  async download(projectId: number, choice: DeploymentChoice): Promise<Buffer> {
    const response = await this.request('GET', `/api/${projectId}/deployment/download`, buildQuery(choice));
    return Buffer.from(await response.arrayBuffer());
  }

  private async json(method: string, path: string, query: Record<string, string> = {}, body?: Json): Promise<Json> {
    const response = await this.request(method, path, query, body);
    const parsed: unknown = await response.json().catch((err: Error) => {
      throw this.failure(`Studio answered ${path} with something that is not JSON`, { path }, err);
    });
    if (!isJsonObject(parsed) || parsed.success !== true) {
      const reason = isJsonObject(parsed) && typeof parsed.error === 'string' ? parsed.error : 'no reason given';
      throw this.failure(`Studio refused ${path}: ${reason}`, { path });
    }
    return parsed;
  }

  private async request(
    method: string,
    path: string,
    query: Record<string, string> = {},
    body?: Json,
  ): Promise<Response> {
    const url = new URL(this.options.baseUrl.replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          'x-api-key': this.options.apiKey,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (err) {
      throw this.failure(`cannot reach Edge Impulse Studio at ${url.origin}: ${(err as Error).message}`, { path }, err);
    }
    if (!response.ok) {
      await response.body?.cancel();
      const hint =
        response.status === 401 || response.status === 403 ? ' (check the API key in the secret ei_sm_secret_id)' : '';
      throw this.failure(`Studio answered ${method} ${path} with HTTP ${response.status}${hint}`, {
        path,
        status: response.status,
      });
    }
    return response;
  }

  private failure(message: string, context: Json, cause?: unknown): LinuxRunnerError {
    return new LinuxRunnerError('DOWNLOAD_FAILED', message, { context, cause });
  }
}
