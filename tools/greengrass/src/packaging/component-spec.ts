import { COMPONENT_KINDS, COMPONENTS, type ComponentIdentity } from '@ei-gg/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ARCHITECTURES, type Architecture } from './architectures';

const dependencySchema = z.strictObject({
  VersionRequirement: z.string().min(1),
  DependencyType: z.enum(['HARD', 'SOFT']),
});

/** components/<ComponentName>/component.json: what the recipe needs beyond core's names and schema. */
const componentJsonSchema = z.strictObject({
  kind: z.enum(COMPONENT_KINDS),
  publisher: z.string().min(1),
  architectures: z.array(z.enum(Object.keys(ARCHITECTURES) as [Architecture, ...Architecture[]])).min(1),
  dependencies: z.record(z.string(), dependencySchema),
  /**
   * Scripts the component runs in a child Node.js process, as the module specifiers its code passes to
   * `require.resolve` (e.g. a client it spawns, a preload): shipped unbundled, see child-modules.ts.
   */
  childModules: z.array(z.string().min(1)).default([]),
});

export type ComponentDependency = z.infer<typeof dependencySchema>;

/** Everything packaging knows about one component, from one source each. */
export interface ComponentSpec extends ComponentIdentity {
  publisher: string;
  architectures: Architecture[];
  dependencies: Record<string, ComponentDependency>;
  childModules: string[];
  /** From the component package's package.json. */
  version: string;
  packageDir: string;
}

export function loadComponentSpec(repositoryRoot: string, componentName: string): ComponentSpec {
  const file = join(repositoryRoot, 'components', componentName, 'component.json');
  const parsed = componentJsonSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
  const identity = COMPONENTS[parsed.data.kind];
  if (identity.componentName !== componentName) {
    throw new Error(`${file}: kind ${parsed.data.kind} is ${identity.componentName}, not ${componentName}`);
  }
  const packageDir = join(repositoryRoot, 'packages', parsed.data.kind);
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { ...identity, ...parsed.data, version, packageDir };
}

/** The component whose package lives in `packageDir` (what an Nx target passes). */
export function componentNameOfPackage(packageDir: string): string {
  const { name } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name: string };
  const identity = Object.values(COMPONENTS).find((component) => component.packageName === name);
  if (identity === undefined) throw new Error(`${name} is not a Greengrass component package`);
  return identity.componentName;
}
