/**
 * `publish` against S3 in moto_server and a stubbed Greengrass v2 API: no local Greengrass control plane
 * exists (moto has none), so GreengrassV2Client is replaced by aws-sdk-client-mock with a small in-memory
 * component store. Upload, version creation, NEXT_PATCH and idempotence are checked on a tree built by the
 * real recipe builder and zip writer (with a small zip, to keep the test fast).
 */
import {
  CreateComponentVersionCommand,
  DescribeComponentCommand,
  GreengrassV2Client,
  ListComponentVersionsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-greengrassv2';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { COMPONENTS } from '@ei-gg/core';
import { startMoto, type Moto } from '@ei-gg/testbench';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../src/cli/run-cli';
import { loadComponentSpec } from '../src/packaging/component-spec';
import { writeReproducibleZip } from '../src/packaging/reproducible-zip';
import { FINGERPRINT_TAG, publishComponent, type PublishTarget } from '../src/publish/publish-component';
import { buildRecipe } from '../src/recipe/build-recipe';
import { parseRecipe, recipeToYaml } from '../src/recipe/recipe-yaml';

const NAME = COMPONENTS['serial-runner'].componentName;
const BUCKET = 'ei-gg-publish-test';

let moto: Moto;
let s3: S3Client;
let tree: string;

/** A packaged tree for the serial-runner whose zips hold `content`. */
async function packagedTree(content: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ei-gg-publish-'));
  const spec = loadComponentSpec(REPOSITORY_ROOT, NAME);
  const artifactDir = join(dir, 'artifacts', NAME, spec.version);
  mkdirSync(artifactDir, { recursive: true });
  mkdirSync(join(dir, 'recipes'));
  const artifacts = [];
  for (const arch of spec.architectures) {
    const fileName = `${spec.bin}-${arch}.zip`;
    await writeReproducibleZip(join(artifactDir, fileName), [
      { path: 'app/main.js', content: Buffer.from(`${content} ${arch}`) },
    ]);
    artifacts.push({
      arch,
      fileName,
      digest: createHash('sha256')
        .update(readFileSync(join(artifactDir, fileName)))
        .digest('base64'),
    });
  }
  writeFileSync(join(dir, 'recipes', `${NAME}-${spec.version}.yaml`), recipeToYaml(buildRecipe(spec, artifacts)));
  return dir;
}

/** The Greengrass control plane, as far as publish uses it: versions, tags, status. */
function stubGreengrass() {
  const created: { arn: string; version: string; recipe: string; tags: Record<string, string> }[] = [];
  const greengrass = mockClient(GreengrassV2Client);
  greengrass
    .on(ListComponentVersionsCommand)
    .callsFake(async () => ({ componentVersions: created.map((c) => ({ componentVersion: c.version, arn: c.arn })) }));
  greengrass
    .on(ListTagsForResourceCommand)
    .callsFake(async ({ resourceArn }) => ({ tags: created.find((c) => c.arn === resourceArn)?.tags ?? {} }));
  greengrass.on(CreateComponentVersionCommand).callsFake(async ({ inlineRecipe, tags }) => {
    const recipe = parseRecipe(Buffer.from(inlineRecipe).toString('utf8'));
    const arn = `arn:aws:greengrass:us-east-1:123456789012:components:${recipe.ComponentName}:versions:${recipe.ComponentVersion}`;
    created.push({ arn, version: recipe.ComponentVersion, recipe: Buffer.from(inlineRecipe).toString('utf8'), tags });
    return {
      arn,
      componentName: recipe.ComponentName,
      componentVersion: recipe.ComponentVersion,
      status: { componentState: 'REQUESTED' },
    };
  });
  greengrass.on(DescribeComponentCommand).resolves({ status: { componentState: 'DEPLOYABLE' } });
  return { greengrass, created };
}

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client(moto.clientConfig);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  tree = await packagedTree('first');
});

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
  if (tree) rmSync(tree, { recursive: true, force: true });
});

function target(greengrass: GreengrassV2Client, logs: string[]): PublishTarget {
  return {
    s3,
    greengrass,
    region: 'us-east-1',
    accountId: '123456789012',
    bucket: BUCKET,
    prefix: 'ei-gg/',
    version: 'NEXT_PATCH',
    log: (l) => logs.push(l),
    pollIntervalMs: 1,
  };
}

const recipePath = (dir: string) => join(dir, 'recipes', `${NAME}-0.1.0.yaml`);

it('uploads every artifact and creates the version once, with S3 URIs filled in; a re-run changes nothing', async () => {
  const { created } = stubGreengrass();
  const logs: string[] = [];
  const greengrass = new GreengrassV2Client({ region: 'us-east-1' });
  const first = await publishComponent(recipePath(tree), join(tree, 'artifacts'), target(greengrass, logs));
  expect(first).toMatchObject({ componentName: NAME, version: '0.1.0', created: true });
  expect(created).toHaveLength(1);
  const published = parseRecipe(created[0].recipe);
  // The Nucleus Lite manifests, then the any-nucleus ones: the same two zips each.
  expect(published.Manifests.map((m) => m.Artifacts[0].Uri)).toEqual([
    `s3://${BUCKET}/ei-gg/${NAME}/0.1.0/ei-gg-serial-runner-amd64.zip`,
    `s3://${BUCKET}/ei-gg/${NAME}/0.1.0/ei-gg-serial-runner-aarch64.zip`,
    `s3://${BUCKET}/ei-gg/${NAME}/0.1.0/ei-gg-serial-runner-amd64.zip`,
    `s3://${BUCKET}/ei-gg/${NAME}/0.1.0/ei-gg-serial-runner-aarch64.zip`,
  ]);
  expect(created[0].tags[FINGERPRINT_TAG]).toMatch(/^[0-9a-f]{64}$/);
  const object = await s3.send(
    new GetObjectCommand({ Bucket: BUCKET, Key: `ei-gg/${NAME}/0.1.0/ei-gg-serial-runner-amd64.zip` }),
  );
  const uploaded = Buffer.from(await object.Body!.transformToByteArray());
  expect(createHash('sha256').update(uploaded).digest('base64')).toBe(published.Manifests[0].Artifacts[0].Digest);
  expect(logs.some((l) => /amd64\.zip (\d+%|uploaded)/.test(l))).toBe(true);

  const again = await publishComponent(recipePath(tree), join(tree, 'artifacts'), target(greengrass, logs));
  expect(again).toMatchObject({ version: '0.1.0', created: false });
  expect(created).toHaveLength(1);
});

it('NEXT_PATCH: new content after 0.1.0 becomes 0.1.1; an explicit existing version with other content is refused', async () => {
  const { created } = stubGreengrass();
  const greengrass = new GreengrassV2Client({ region: 'us-east-1' });
  await publishComponent(recipePath(tree), join(tree, 'artifacts'), target(greengrass, []));
  const changed = await packagedTree('second');
  try {
    const next = await publishComponent(recipePath(changed), join(changed, 'artifacts'), target(greengrass, []));
    expect(next).toMatchObject({ version: '0.1.1', created: true });
    expect(created.map((c) => c.version)).toEqual(['0.1.0', '0.1.1']);
    await expect(
      publishComponent(recipePath(changed), join(changed, 'artifacts'), {
        ...target(greengrass, []),
        version: '0.1.0',
      }),
    ).rejects.toThrow('already published with other content');
  } finally {
    rmSync(changed, { recursive: true, force: true });
  }
});
