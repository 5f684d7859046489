#!/usr/bin/env node
/**
 * `publish`: uploads the packaged artifacts to S3 and creates the Greengrass component versions.
 *   publish --bucket B [--region R] [--prefix P/] [--version NEXT_PATCH|x.y.z] [--component Name]...
 * Bucket, region and prefix also come from EI_GG_BUCKET, AWS_REGION, EI_GG_PREFIX.
 */
import { GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import { S3Client } from '@aws-sdk/client-s3';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { awsContext } from '../aws/aws-context';
import { defaultOutputDir } from '../packaging/package-component';
import { publishComponent } from '../publish/publish-component';
import { REPOSITORY_ROOT, runCli } from './run-cli';

runCli(async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      bucket: { type: 'string', default: process.env.EI_GG_BUCKET },
      region: { type: 'string' },
      prefix: { type: 'string', default: process.env.EI_GG_PREFIX ?? '' },
      version: { type: 'string', default: 'NEXT_PATCH' },
      component: { type: 'string', multiple: true },
      'output-dir': { type: 'string', default: defaultOutputDir(REPOSITORY_ROOT) },
    },
  });
  if (values.bucket === undefined) throw new Error('publish: --bucket (or EI_GG_BUCKET) is required');
  const recipesDir = join(values['output-dir'], 'recipes');
  const wanted = values.component;
  const selected = readdirSync(recipesDir).filter(
    (file) => file.endsWith('.yaml') && (wanted === undefined || wanted.some((c) => file.startsWith(`${c}-`))),
  );
  if (selected.length === 0)
    throw new Error(`publish: no recipe in ${recipesDir} (run npx nx run-many -t package first)`);
  const { region, accountId } = await awsContext(values.region);
  const s3 = new S3Client({ region });
  const greengrass = new GreengrassV2Client({ region });
  try {
    for (const file of selected) {
      const result = await publishComponent(join(recipesDir, file), join(values['output-dir'], 'artifacts'), {
        s3,
        greengrass,
        region,
        accountId,
        bucket: values.bucket,
        prefix: values.prefix,
        version: values.version,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      console.log(JSON.stringify(result));
    }
  } finally {
    s3.destroy();
    greengrass.destroy();
  }
});
