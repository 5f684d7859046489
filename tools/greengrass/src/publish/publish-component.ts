import {
  CreateComponentVersionCommand,
  DescribeComponentCommand,
  ListComponentVersionsCommand,
  ListTagsForResourceCommand,
  type GreengrassV2Client,
} from '@aws-sdk/client-greengrassv2';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { artifactUri } from '../recipe/build-recipe';
import { parseRecipe, recipeToYaml } from '../recipe/recipe-yaml';
import { recipeProblems } from '../recipe/validate-recipe';
import type { Recipe } from '../recipe/recipe-types';
import { compareVersions, nextPatch } from './component-versions';

export interface PublishTarget {
  s3: S3Client;
  greengrass: GreengrassV2Client;
  region: string;
  accountId: string;
  bucket: string;
  /** Key prefix ('' or ending in '/'). */
  prefix: string;
  /** 'NEXT_PATCH' (after the latest published version, or the recipe's when none is) or an exact version. */
  version: string;
  log(line: string): void;
  /** Between DescribeComponent polls while the service processes the new version. */
  pollIntervalMs?: number;
}

export interface PublishResult {
  componentName: string;
  version: string;
  arn: string;
  /** false when an identical version was already published (nothing uploaded or created). */
  created: boolean;
}

/** Tag carrying the content fingerprint: the same recipe and artifacts are never published twice. */
export const FINGERPRINT_TAG = 'ei-gg:fingerprint';

/**
 * Publishes one generated recipe: uploads its artifacts under `<prefix><Name>/<version>/` (skipping objects
 * already there with the same SHA-256), then creates the component version with the S3 URIs filled in.
 * Idempotent: when the latest (or the requested) version carries the same fingerprint, nothing is done.
 */
export async function publishComponent(
  recipePath: string,
  artifactsDir: string,
  target: PublishTarget,
): Promise<PublishResult> {
  const local = parseRecipe(readFileSync(recipePath, 'utf8'));
  const name = local.ComponentName;
  const fingerprint = recipeFingerprint(local);
  const componentArn = `arn:aws:greengrass:${target.region}:${target.accountId}:components:${name}`;
  const published = await publishedVersions(target.greengrass, componentArn);

  const latest = published.at(-1);
  const version =
    target.version === 'NEXT_PATCH' ? nextVersion(local.ComponentVersion, latest?.version) : target.version;
  const candidate = target.version === 'NEXT_PATCH' ? latest : published.find((p) => p.version === version);
  if (candidate !== undefined && (await fingerprintOf(target.greengrass, candidate.arn)) === fingerprint) {
    target.log(`${name} ${candidate.version} already published with the same content`);
    return { componentName: name, version: candidate.version, arn: candidate.arn, created: false };
  }
  if (published.some((p) => p.version === version))
    throw new Error(`${name} ${version} is already published with other content: publish a new version`);

  const recipe = structuredClone(local);
  recipe.ComponentVersion = version;
  const uploaded = new Set<string>(); // the Nucleus Lite and the any-nucleus manifests share each zip
  for (const manifest of recipe.Manifests) {
    for (const artifact of manifest.Artifacts) {
      const fileName = basename(new URL(artifact.Uri).pathname);
      const key = `${target.prefix}${name}/${version}/${fileName}`;
      if (!uploaded.has(key))
        await uploadArtifact(target, join(artifactsDir, name, local.ComponentVersion, fileName), key, artifact.Digest);
      uploaded.add(key);
      artifact.Uri = artifactUri(target.bucket, `${target.prefix}${name}`, version, fileName);
    }
  }

  // The real bucket and prefix are in the URIs now: the recipe must still fit Nucleus Lite's buffer.
  const inlineRecipe = recipeToYaml(recipe);
  const problems = recipeProblems(recipe, inlineRecipe);
  if (problems.length > 0) throw new Error(`${name} ${version}: invalid recipe:\n${problems.join('\n')}`);
  const created = await target.greengrass.send(
    new CreateComponentVersionCommand({
      inlineRecipe: Buffer.from(inlineRecipe),
      tags: { [FINGERPRINT_TAG]: fingerprint },
      clientToken: createHash('sha256').update(`${fingerprint}:${version}`).digest('hex').slice(0, 64),
    }),
  );
  const arn = created.arn ?? `${componentArn}:versions:${version}`;
  await waitUntilDeployable(target, arn);
  target.log(`${name} ${version} created: ${arn}`);
  return { componentName: name, version, arn, created: true };
}

/** SHA-256 of the recipe with its version and bucket left out: the artifacts' digests are inside it. */
export function recipeFingerprint(recipe: Recipe): string {
  const neutral = structuredClone(recipe);
  neutral.ComponentVersion = '0.0.0';
  for (const manifest of neutral.Manifests)
    for (const artifact of manifest.Artifacts) artifact.Uri = basename(new URL(artifact.Uri).pathname);
  return createHash('sha256').update(JSON.stringify(neutral)).digest('hex');
}

function nextVersion(recipeVersion: string, latest: string | undefined): string {
  if (latest === undefined || compareVersions(recipeVersion, latest) > 0) return recipeVersion;
  return nextPatch(latest);
}

async function publishedVersions(
  greengrass: GreengrassV2Client,
  arn: string,
): Promise<{ version: string; arn: string }[]> {
  const versions: { version: string; arn: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await greengrass.send(new ListComponentVersionsCommand({ arn, nextToken }));
    for (const v of page.componentVersions ?? [])
      if (v.componentVersion && v.arn) versions.push({ version: v.componentVersion, arn: v.arn });
    nextToken = page.nextToken;
  } while (nextToken);
  return versions.sort((a, b) => compareVersions(a.version, b.version));
}

async function fingerprintOf(greengrass: GreengrassV2Client, arn: string): Promise<string | undefined> {
  return (await greengrass.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags?.[FINGERPRINT_TAG];
}

async function uploadArtifact(target: PublishTarget, file: string, key: string, digest: string): Promise<void> {
  const existing = await target.s3
    .send(new HeadObjectCommand({ Bucket: target.bucket, Key: key }))
    .catch((error: { name?: string }) => {
      if (error.name === 'NotFound') return undefined;
      throw error;
    });
  if (existing?.Metadata?.sha256 === digest) {
    target.log(`s3://${target.bucket}/${key} already uploaded`);
    return;
  }
  const upload = new Upload({
    client: target.s3,
    params: { Bucket: target.bucket, Key: key, Body: createReadStream(file), Metadata: { sha256: digest } },
  });
  let reported = -1;
  upload.on('httpUploadProgress', ({ loaded, total }) => {
    const percent = total ? Math.floor(((loaded ?? 0) / total) * 100) : 0;
    if (percent >= reported + 10) target.log(`s3://${target.bucket}/${key} ${(reported = percent)}%`);
  });
  await upload.done();
  target.log(`s3://${target.bucket}/${key} uploaded`);
}

/** The service checks the recipe and artifacts asynchronously: a FAILED version names why. */
async function waitUntilDeployable(target: PublishTarget, arn: string): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const status = (await target.greengrass.send(new DescribeComponentCommand({ arn }))).status;
    if (status?.componentState === 'DEPLOYABLE') return;
    if (status?.componentState === 'FAILED')
      throw new Error(`${arn} FAILED: ${status.message ?? ''} ${JSON.stringify(status.errors ?? {})}`);
    await sleep(target.pollIntervalMs ?? 2000);
  }
  throw new Error(`${arn} did not become DEPLOYABLE within 60 checks`);
}
