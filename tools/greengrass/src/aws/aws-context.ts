import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/**
 * Region from the flag or AWS_REGION; the account from STS (the credentials in use). Endpoints follow the
 * SDK's own AWS_ENDPOINT_URL(_<SERVICE>) variables, which is how a local emulator is reached.
 */
export async function awsContext(region: string | undefined): Promise<{ region: string; accountId: string }> {
  const resolved = region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (resolved === undefined) throw new Error('no region: pass --region or set AWS_REGION');
  const sts = new STSClient({ region: resolved });
  try {
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    if (Account === undefined) throw new Error('STS returned no account');
    return { region: resolved, accountId: Account };
  } finally {
    sts.destroy();
  }
}
