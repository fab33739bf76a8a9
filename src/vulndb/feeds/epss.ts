/**
 * FIRST EPSS scores CSV (https://www.first.org/epss/data_stats; epss_scores-current.csv.gz):
 *   #model_version:v2025.03.14,score_date:2025-06-01T12:55:00Z
 *   cve,epss,percentile
 *   CVE-2021-44228,0.94358,0.99961
 * Read line by line (the file has ~280,000 rows). Both scores are probabilities in [0, 1].
 */
import { CVE_ID, type FeedSink } from './sink.js';

export async function parseEpss(
  lines: AsyncIterable<string> | Iterable<string>,
  sink: FeedSink,
  where = 'epss',
): Promise<{ timestamp?: string }> {
  let date = '';
  let header = false;
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /score_date:(\d{4}-\d{2}-\d{2})/.exec(line);
      if (m?.[1]) date = m[1];
      continue;
    }
    if (!header) {
      header = true;
      if (line.toLowerCase().replace(/\s/g, '') === 'cve,epss,percentile') continue;
      sink.skip('missing "cve,epss,percentile" header', where);
    }
    const [cve, epss, pct, extra] = line.split(',');
    const score = Number(epss);
    const percentile = Number(pct);
    if (cve === undefined || !CVE_ID.test(cve) || extra !== undefined) {
      sink.skip('malformed row', `${where}:${n}`);
      continue;
    }
    if (
      epss === undefined ||
      pct === undefined ||
      epss === '' ||
      pct === '' ||
      !(score >= 0 && score <= 1) ||
      !(percentile >= 0 && percentile <= 1)
    ) {
      sink.skip('score outside [0, 1]', `${where}:${n}`);
      continue;
    }
    sink.enrichment({ cve, epss: { score, percentile, date } });
  }
  return date ? { timestamp: date } : {};
}
