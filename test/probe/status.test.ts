import { describe, expect, it } from 'vitest';
import { decideStatus, describeError, MAX_ERROR_MESSAGE_CHARS, parseErrorPayload, shortenErrorMessage, type StatusEvidence } from '../../src/probe/status.ts';

const none: StatusEvidence = { reportStatus: null, reportErrorType: null, timeoutLine: false, functionError: null, payload: null };

describe('decideStatus', () => {
  it('returns success when nothing says otherwise (a text REPORT without Status, no FunctionError)', () => {
    expect(decideStatus(none)).toEqual({ status: 'success', errorType: null, errorMessage: null });
  });

  it('returns error with the payload errorType when the invoke came back Unhandled and the REPORT has no Status', () => {
    expect(decideStatus({ ...none, functionError: 'Unhandled', payload: { errorType: 'ValueError', errorMessage: 'boom from the handler' } })).toEqual({
      status: 'error',
      errorType: 'ValueError',
      errorMessage: 'boom from the handler',
    });
  });

  it('returns error for a Handled FunctionError too', () => {
    expect(decideStatus({ ...none, functionError: 'Handled', payload: { errorType: 'Error', errorMessage: 'callback error' } }).status).toBe('error');
  });

  it('takes errorType from the REPORT when the payload has none', () => {
    expect(decideStatus({ ...none, reportStatus: 'error', reportErrorType: 'Runtime.ExitError' })).toEqual({ status: 'error', errorType: 'Runtime.ExitError', errorMessage: null });
    expect(decideStatus({ ...none, reportStatus: 'failure', reportErrorType: 'Runtime.Unknown' }).status).toBe('error');
  });

  it('returns timeout for Sandbox.Timedout (current Lambda), before the FunctionError', () => {
    const payload = { errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: 8f1e Error: Task timed out after 1.00 seconds' };
    expect(decideStatus({ ...none, functionError: 'Unhandled', payload })).toEqual({ status: 'timeout', errorType: 'Sandbox.Timedout', errorMessage: payload.errorMessage });
  });

  it('returns timeout for the older payload, an errorMessage ending "Task timed out after N seconds"', () => {
    const payload = { errorType: null, errorMessage: '2026-10-08T07:30:29.470Z 8f1e Task timed out after 3.00 seconds' };
    expect(decideStatus({ ...none, functionError: 'Unhandled', payload }).status).toBe('timeout');
  });

  it('returns timeout for a timeout line even when the REPORT says error', () => {
    expect(decideStatus({ ...none, reportStatus: 'error', reportErrorType: 'Runtime.ExitError', timeoutLine: true }).status).toBe('timeout');
    expect(decideStatus({ ...none, reportStatus: 'timeout' }).status).toBe('timeout');
  });
});

describe('parseErrorPayload', () => {
  it('reads errorType and errorMessage from Lambda error JSON', () => {
    expect(parseErrorPayload('{"errorType":"TypeError","errorMessage":"x is not a function","trace":[]}')).toEqual({ errorType: 'TypeError', errorMessage: 'x is not a function' });
  });

  it('returns the text itself as the message when the payload is not JSON, and nulls for an empty one', () => {
    expect(parseErrorPayload('plain failure')).toEqual({ errorType: null, errorMessage: 'plain failure' });
    expect(parseErrorPayload('')).toEqual({ errorType: null, errorMessage: null });
  });

  it('returns nulls for JSON without the fields, and stringifies a non-string message', () => {
    expect(parseErrorPayload('{"statusCode":500}')).toEqual({ errorType: null, errorMessage: null });
    expect(parseErrorPayload('{"errorMessage":{"code":7}}')).toEqual({ errorType: null, errorMessage: '{"code":7}' });
  });
});

describe('shortenErrorMessage', () => {
  it('keeps a message of 500 characters whole and cuts a longer one to 500 with an ellipsis', () => {
    expect(shortenErrorMessage('a'.repeat(500))).toBe('a'.repeat(500));
    const cut = shortenErrorMessage('b'.repeat(501))!;
    expect(cut).toHaveLength(MAX_ERROR_MESSAGE_CHARS);
    expect(cut.endsWith('b…')).toBe(true);
  });

  it('never splits a surrogate pair', () => {
    const cut = shortenErrorMessage(`${'c'.repeat(498)}😀tail`)!;
    expect(cut).toBe(`${'c'.repeat(498)}…`);
  });
});

describe('describeError', () => {
  it('joins type and message, or gives whichever is known, or null', () => {
    expect(describeError('ValueError', 'boom')).toBe('ValueError: boom');
    expect(describeError(null, 'boom')).toBe('boom');
    expect(describeError('ValueError', null)).toBe('ValueError');
    expect(describeError(null, '')).toBeNull();
  });
});
