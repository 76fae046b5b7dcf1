import { ERROR_STATUS, errorCodeForStatus, InviteRoleSchema, ROLE_KEYS, type ErrorCode } from '@pioneer/shared';
import { errorResponses } from '../../server/src/lib/openapi';

describe('the status-to-code fallback', () => {
  it('maps every status a contract code uses back to a code of that status', () => {
    for (const status of new Set(Object.values(ERROR_STATUS))) {
      expect(ERROR_STATUS[errorCodeForStatus(status)] === status || [400, 409, 410, 422].includes(status)).toBe(true);
    }
    expect([413, 415, 400].map(errorCodeForStatus)).toEqual(['PAYLOAD_TOO_LARGE', 'VALIDATION_FAILED', 'VALIDATION_FAILED']);
    expect([502, 503].map(errorCodeForStatus)).toEqual(['INTERNAL_ERROR', 'SERVICE_UNAVAILABLE']);
  });
});

describe('invite roles', () => {
  it('are every role but member', () => {
    expect(InviteRoleSchema.options).toEqual(ROLE_KEYS.filter((r) => r !== 'member'));
  });
});

describe('documented error answers', () => {
  it('group codes by their status, each schema accepting only its own codes', () => {
    const codes: ErrorCode[] = ['TASK_FULL', 'ALREADY_CLAIMED', 'FORBIDDEN', 'NOT_REGISTERED', 'TASK_FULL'];
    const byStatus = errorResponses(codes);
    expect(Object.keys(byStatus).sort()).toEqual(['403', '409']);
    const body = (code: string) => ({ code, message: 'x', requestId: 'r' });
    expect(byStatus[409]!.safeParse(body('TASK_FULL')).success).toBe(true);
    expect(byStatus[409]!.safeParse(body('FORBIDDEN')).success).toBe(false);
    expect(byStatus[403]!.safeParse(body('NOT_REGISTERED')).success).toBe(true);
  });
});
