/**
 * Retries for the failures Lambda documents as transient that the AWS SDK does not retry:
 * an update in progress (ResourceConflictException) and a freshly created role IAM has not
 * propagated yet. Throttling (TooManyRequestsException, ThrottlingException, HTTP 429) is left
 * to the SDK's own retry strategy, configured where the clients are made (target.ts
 * SDK_RETRY): retrying it here as well would multiply the attempts.
 */

export interface RetryOptions {
  /** Attempts after the first */
  retries: number;
  /** First delay; doubles each attempt up to maxMs */
  baseMs: number;
  maxMs: number;
  retryable: (error: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? '';
}

/**
 * ResourceConflictException: the function is being created or updated. A 409 client error to
 * the SDK, so it never retries it; Lambda documents it as "try again once the update is done".
 */
export function isUpdateInProgress(error: unknown): boolean {
  return errorName(error) === 'ResourceConflictException';
}

/**
 * IAM eventual consistency: a role created seconds ago is not yet assumable by Lambda. An
 * InvalidParameterValueException to the SDK, so it never retries it.
 */
export function isRoleNotReady(error: unknown): boolean {
  return errorName(error) === 'InvalidParameterValueException' && /cannot be assumed by Lambda/i.test((error as Error).message ?? '');
}

/** Control-plane calls: up to ~1 minute of an update in progress before giving up. */
export const CONTROL_PLANE_RETRY: RetryOptions = { retries: 8, baseMs: 250, maxMs: 10_000, retryable: isUpdateInProgress };
/** Role propagation takes 5–60 s on AWS (reference: lambda-formats.md, Control plane). */
export const ROLE_PROPAGATION_RETRY: RetryOptions = { retries: 12, baseMs: 2_000, maxMs: 10_000, retryable: (e) => isRoleNotReady(e) || isUpdateInProgress(e) };

/**
 * A policy with the caller's overrides (tests shorten delays or pass a fake sleep); which errors
 * are retried stays the policy's own.
 */
export function retryPolicy(base: RetryOptions, overrides?: Partial<RetryOptions>): RetryOptions {
  return { ...base, ...overrides, retryable: base.retryable };
}

/** Runs `fn`, retrying while `retryable(error)` with exponential backoff and jitter. */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const wait = options.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.retries || !options.retryable(error)) throw error;
      // Full jitter keeps many concurrent retries from hitting the API in lockstep.
      const cap = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
      const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
      options.onRetry?.(error, attempt + 1, delay);
      await wait(delay);
    }
  }
}
