/** See bundle-from-sources.js (plain JavaScript so `npm start` needs no build). */
export declare function bundleFromSources(packageName: string): string;
