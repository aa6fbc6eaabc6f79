/**
 * Checks, before any AWS call, that the SDK can find a Region and credentials, and turns the SDK's raw
 * "Region is missing" / "Could not load credentials from any providers" into a message that names the fix.
 * The CLI exits 2 on them, as on any other bad setting.
 */
import type { AwsClients } from './clients.js';

const REGION_FIX =
  'Set AWS_REGION (or AWS_DEFAULT_REGION), pass --region eu-west-1, or give the profile a region ' +
  '(aws configure set region eu-west-1 --profile NAME).';
const CREDENTIALS_FIX =
  'The SDK looked, in order, at AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, the profile ' +
  '(--profile or AWS_PROFILE, else "default") in ~/.aws/credentials and ~/.aws/config (SSO and credential_process ' +
  'included), a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE), and the container or instance role. ' +
  'Run `aws configure` or `aws sso login --profile NAME`, pass --profile, or set the variables.';

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The problems with the clients' Region and credentials, one sentence each; empty when both resolve.
 * Resolving them makes no AWS call unless the chain reaches an SSO, web identity or instance role source.
 *
 * @example
 * const problems = await awsSetupProblems(clients);
 * if (problems.length > 0) return exitWith(ExitCode.BadSettings, problems);
 */
async function awsSetupProblems(clients: AwsClients): Promise<string[]> {
  const problems: string[] = [];
  try {
    await clients.logs.config.region();
  } catch (err) {
    problems.push(`No AWS Region (${messageOf(err)}). ${REGION_FIX}`);
  }
  try {
    await clients.logs.config.credentials();
  } catch (err) {
    problems.push(`No AWS credentials (${messageOf(err)}). ${CREDENTIALS_FIX}`);
  }
  return problems;
}

export { awsSetupProblems };
