import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../index.js';
import { defaultSensorStore, parseDurationMs } from './sensor.js';

test('durations: units, plain seconds, and a usage error naming the flag', () => {
  assert.equal(parseDurationMs('30s', '--window'), 30_000);
  assert.equal(parseDurationMs('10m', '--window'), 600_000);
  assert.equal(parseDurationMs('1.5h', '--window'), 5_400_000);
  assert.equal(parseDurationMs('0', '--window'), 0);
  assert.equal(parseDurationMs('250ms', '--window'), 250);
  assert.throws(() => parseDurationMs('ten minutes', '--window'), /--window: "ten minutes" is not a duration/);
});

test('the default local store follows XDG_DATA_HOME', () => {
  assert.equal(defaultSensorStore({ XDG_DATA_HOME: '/data' }), '/data/customs/sensor');
  assert.match(defaultSensorStore({ XDG_DATA_HOME: 'relative' }), /\/\.local\/share\/customs\/sensor$/);
});

test('--enforce: an unknown rule or action is a usage error (exit 2) before anything starts', async () => {
  const err: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => {
    err.push(String(s));
    return true;
  }) as typeof process.stderr.write;
  try {
    assert.equal(await main(['sensor', '--enforce', 'no-such-rule=kill']), 2);
    assert.equal(await main(['sensor', '--enforce', 'crypto-miner=explode']), 2);
    assert.equal(await main(['sensor', '--window', 'soon']), 2);
  } finally {
    process.stderr.write = write;
  }
  const text = err.join('');
  assert.match(text, /no rule "no-such-rule"/);
  assert.match(text, /ACTION one of alert, pause, stop, kill, isolate/);
});
