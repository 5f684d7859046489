/** One policy of a recipe's accessControl, e.g. under `"<Component>:mqttproxy:1"`. */
export interface AccessControlPolicy {
  policyDescription?: string;
  operations: string[];
  resources?: string[];
}

/** A recipe's `ComponentConfiguration.DefaultConfiguration.accessControl`: IPC service → policy id → policy. */
export type AccessControl = Record<string, Record<string, AccessControlPolicy>>;

/** IPC service identifiers the nucleus authorizes against. */
export const IpcService = {
  MqttProxy: 'aws.greengrass.ipc.mqttproxy',
  PubSub: 'aws.greengrass.ipc.pubsub',
  SecretManager: 'aws.greengrass.SecretManager',
  /** Resources are shadow topic prefixes: `$aws/things/<thing>/shadow[/name/<shadow>]`. */
  ShadowManager: 'aws.greengrass.ShadowManager',
} as const;

/** Recipe variables the nucleus substitutes in resources, when it substitutes at all (see IpcEndpointOptions). */
export interface PolicyVariables {
  /** Replaces the `{iot:thingName}` recipe variable in resources. */
  thingName?: string;
}

/**
 * Authorizes one component's IPC requests the way the nucleus's AuthorizationHandler does: a request is
 * allowed when a policy of the service lists its operation (or `*`) and a resource matching it; a component
 * without any accessControl is allowed nothing. Resources are globs (`*` matches any characters, `${c}`
 * escapes `c`); for mqttproxy `+` and `#` are also MQTT wildcards where they fill a whole level. A requested
 * subscription filter must be covered: a `+` resource grants a `+` level but never `#` (the nucleus's string
 * match would let it pass). Only the variables given are substituted: a `{iot:thingName}` left in a resource
 * matches nothing but that literal text, as on a nucleus that does not interpolate.
 */
export class AccessPolicy {
  private readonly grants: { service: string; operations: string[]; resources: RegExp[] }[];

  constructor(
    accessControl: AccessControl | undefined,
    private readonly principal: string,
    variables: PolicyVariables = {},
  ) {
    this.grants = Object.entries(accessControl ?? {}).flatMap(([service, policies]) =>
      Object.values(policies ?? {}).map((policy) => ({
        service,
        operations: policy.operations ?? [],
        resources: (policy.resources ?? []).map((resource) =>
          resourcePattern(interpolatePolicyResource(resource, variables), service === IpcService.MqttProxy),
        ),
      })),
    );
  }

  allows(service: string, operation: string, resource: string): boolean {
    return this.grants.some(
      (grant) =>
        grant.service === service &&
        (grant.operations.includes(operation) || grant.operations.includes('*')) &&
        grant.resources.some((pattern) => pattern.test(resource)),
    );
  }

  /** Returns undefined when allowed, else the Java nucleus's AuthorizationException text. */
  denial(service: string, operation: string, resource: string): string | undefined {
    return this.allows(service, operation, resource)
      ? undefined
      : `Principal ${this.principal} is not authorized to perform ${service}:${operation} on resource ${resource}`;
  }
}

/**
 * A policy granting every operation on every resource of the services this endpoint serves: for tests that
 * are not about authorization. A real recipe could say the same (`"operations": ["*"], "resources": ["*"]`).
 */
export function allowAllPolicy(componentName: string): AccessControl {
  return Object.fromEntries(
    Object.values(IpcService).map((service) => [
      service,
      { [`${componentName}:${service}:all`]: { operations: ['*'], resources: ['*'] } },
    ]),
  );
}

/** `{iot:thingName}` replaced where a thing name is given. */
export function interpolatePolicyResource(resource: string, variables: PolicyVariables): string {
  return variables.thingName === undefined ? resource : resource.split('{iot:thingName}').join(variables.thingName);
}

function resourcePattern(resource: string, mqttWildcards: boolean): RegExp {
  let source = '';
  for (let i = 0; i < resource.length; i++) {
    const escaped = /^\$\{(.)\}/su.exec(resource.slice(i));
    if (escaped) {
      source += escapeRegExp(escaped[1]);
      i += 3;
      continue;
    }
    const char = resource[i];
    const startsLevel = i === 0 || resource[i - 1] === '/';
    const endsLevel = i === resource.length - 1 || resource[i + 1] === '/';
    if (char === '*') source += '.*';
    else if (mqttWildcards && char === '+' && startsLevel && endsLevel) source += '[^/#]*';
    // `a/#` also matches `a` itself, so the separator before `#` becomes optional.
    else if (mqttWildcards && char === '#' && startsLevel && i === resource.length - 1) {
      source = i === 0 ? '.*' : `${source.slice(0, -1)}(?:/.*)?`;
    } else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
