/**
 * The product version: all packages are released together with one version. esbuild inlines the JSON into
 * the artifacts, so a device reports what it really runs (fleet dashboards catch version drift with it).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an import would make tsc copy package.json into dist
export const PRODUCT_VERSION: string = (require('@ei-gg/core/package.json') as { version: string }).version;
