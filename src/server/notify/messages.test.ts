import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventRecord } from '../../store/index.js';
import { EVENT_TYPES } from '../event-types.js';
import { eventSummary } from './messages.js';

const ev = (type: string, subject: string, data: unknown): EventRecord => ({
  id: 1,
  type,
  subject,
  data,
  createdAt: 0,
});
const D = `sha256:${'a'.repeat(64)}`;

test('summaries name the image where the event says it, counts by severity, and the verdict', () => {
  assert.equal(
    eventSummary(ev(EVENT_TYPES.imageNew, D, { digest: D, registry: 'hub', repository: 'team/app', tag: '1.0' })),
    `New image hub/team/app:1.0@${D}`,
  );
  assert.equal(eventSummary(ev(EVENT_TYPES.imageNew, D, { digest: D })), `New image ${D}`);
  assert.equal(
    eventSummary(
      ev(EVENT_TYPES.scanFinished, D, {
        digest: D,
        image: 'registry:h/r@x',
        verdict: 'fail',
        severities: { critical: 2, high: 5, medium: 0 },
      }),
    ),
    'Scan finished for registry:h/r@x: 2 critical, 5 high (verdict fail)',
  );
  assert.equal(
    eventSummary(ev(EVENT_TYPES.verdictChanged, D, { from: 'pass', to: 'fail' })),
    `Verdict for ${D} changed: pass → fail`,
  );
  assert.equal(
    eventSummary(
      ev(EVENT_TYPES.findingNew, 'CVE-1', {
        findingId: 'CVE-1',
        message: 'CVE-1 now affects 3 images in 2 repositories',
      }),
    ),
    'CVE-1 now affects 3 images in 2 repositories',
  );
  assert.equal(
    eventSummary(
      ev(EVENT_TYPES.exceptionExpiring, 'exception:4', { id: 4, finding: 'CVE-9', owner: 'ops', expiresAt: 0 }),
    ),
    'Exception #4 for CVE-9 (owner ops) expires 1970-01-01T00:00:00.000Z',
  );
  assert.equal(eventSummary(ev('tag.moved', 'hub/app:1', {})), 'tag.moved: hub/app:1');
});
