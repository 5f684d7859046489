import * as path from 'node:path';
import { FileCache, InferenceCaches, MIB, S3Cache, type ComponentContext, type ModelInfo } from '@ei-gg/core';

/**
 * The file and S3 caches as configured. S3 goes through the default credential chain (the Token Exchange
 * Service under Greengrass); a custom endpoint (`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`: MinIO, moto) gets
 * path-style addressing, which such endpoints need. Uploads that fail are spooled under the work directory.
 * Both are bounded (`cache_file_max_mb`, `cache_s3_spool_max_mb`), oldest pairs evicted first. The S3 folder is the
 * running model's (`model`), `<model_name>_v<version>`.
 */
export async function openCaches(
  context: ComponentContext<'linux-runner'>,
  workDir: string,
  model: () => ModelInfo | undefined,
): Promise<InferenceCaches> {
  const config = context.config.current;
  const logger = context.logger.child({ part: 'caches' });
  const local = config.enable_cache_to_file
    ? await FileCache.open({
        directory: config.cache_file_directory!,
        maxBytes: config.cache_file_max_mb * MIB,
        logger,
      })
    : undefined;
  let s3: S3Cache | undefined;
  if (config.enable_cache_to_s3) {
    s3 = new S3Cache({
      bucket: config.s3_bucket!,
      region: context.env.AWS_REGION ?? context.env.AWS_DEFAULT_REGION,
      forcePathStyle: Boolean(context.env.AWS_ENDPOINT_URL_S3 ?? context.env.AWS_ENDPOINT_URL),
      spoolDirectory: path.join(workDir, 's3-spool'),
      maxPendingBytes: config.cache_s3_spool_max_mb * MIB,
      logger,
    });
    await s3.start();
  }
  // model_version is `v<deploy version>`: the folder is modelKeyPrefix's `<model_name>_v<deploy version>`.
  const keyPrefix = () => {
    const info = model();
    return info && `${info.model_name}_${info.model_version}`;
  };
  return new InferenceCaches({ local, s3, logger, keyPrefix });
}
