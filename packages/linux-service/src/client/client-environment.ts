import type { ClientHome } from './client-home';

/**
 * What the client must not inherit: the nucleus IPC token (it talks to Studio, not to Greengrass) and the
 * Token Exchange Service credentials (it needs no AWS access: the key is handed over by the component).
 */
const WITHHELD = [
  'SVCUID',
  'AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
];

/** The client's environment: the component's, minus `WITHHELD`, with its private HOME and the bootstrap's inputs. */
export function clientEnvironment(env: NodeJS.ProcessEnv, home: ClientHome, deviceName: string): NodeJS.ProcessEnv {
  const inherited = { ...env };
  for (const name of WITHHELD) delete inherited[name];
  return { ...inherited, HOME: home.path, EI_GG_API_KEY_FILE: home.keyFile, EI_GG_DEVICE_NAME: deviceName };
}
