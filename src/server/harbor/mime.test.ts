import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HARBOR_MIME, negotiateReport } from './mime.js';

test('report negotiation: the exact types Harbor sends, spacing and case aside; wildcards and no header give 1.1', () => {
  assert.equal(negotiateReport(HARBOR_MIME.reportV10), HARBOR_MIME.reportV10);
  assert.equal(negotiateReport(HARBOR_MIME.reportV11), HARBOR_MIME.reportV11);
  assert.equal(
    negotiateReport('Application/Vnd.Scanner.Adapter.Vuln.Report.Harbor+JSON;version=1.0'),
    HARBOR_MIME.reportV10,
  );
  assert.equal(negotiateReport(`text/html, ${HARBOR_MIME.reportRaw}`), HARBOR_MIME.reportRaw);
  assert.equal(negotiateReport(undefined), HARBOR_MIME.reportV11);
  assert.equal(negotiateReport('*/*'), HARBOR_MIME.reportV11);
  assert.equal(negotiateReport('application/vnd.security.vulnerability.report; version=2.0'), undefined);
  assert.equal(negotiateReport('application/json'), undefined);
});
