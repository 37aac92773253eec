import { randomUUID } from 'node:crypto';
import { AwsError, escapeXml } from './errors.ts';

/** STS GetCallerIdentity over the query protocol, the cheapest real AWS call a function can make. */
export function handleSts(params: URLSearchParams, accountId: string): { requestId: string; xml: string; operation: string } {
  const action = params.get('Action');
  const requestId = randomUUID();
  if (action !== 'GetCallerIdentity') {
    throw new AwsError(
      'InvalidAction',
      400,
      `Could not find operation ${action ?? '(no Action)'} for version ${params.get('Version') ?? '(no Version)'}; the coldbench emulator serves GetCallerIdentity only.`,
    );
  }
  const xml =
    `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n` +
    `  <GetCallerIdentityResult>\n` +
    `    <Arn>${escapeXml(`arn:aws:iam::${accountId}:user/coldbench-emulator`)}</Arn>\n` +
    `    <UserId>AIDACOLDBENCHEMULATOR</UserId>\n` +
    `    <Account>${escapeXml(accountId)}</Account>\n` +
    `  </GetCallerIdentityResult>\n` +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n` +
    `</GetCallerIdentityResponse>\n`;
  return { requestId, xml, operation: 'GetCallerIdentity' };
}
