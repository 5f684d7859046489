/** @ei-gg/core/caches: the file and S3 caches of published results (SPEC 6). */
export { FileCache, MIB, type FileCacheOptions } from './file-cache';
export { S3Cache, type S3CacheOptions } from './s3-cache';
export { InferenceCaches } from './inference-caches';
