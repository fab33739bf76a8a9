/**
 * The state store's test suite, one function run against each backend
 * (sqlite-store.test.ts, postgres-store.test.ts): the same tests, the same
 * expectations, only the fixture that makes empty stores differs.
 */
import { after, afterEach, before, describe } from 'node:test';
import { type BackendFixture, harness } from './harness.js';
import { catalogSuite } from './suite-catalog.js';
import { hookSecretsSuite, jobReleaseSuite } from './suite-hook-secrets.js';
import { listingsSuite } from './suite-listings.js';
import { logsSuite } from './suite-logs.js';
import { migrationSuite } from './suite-migrations.js';
import { notificationSuite } from './suite-notifications.js';
import { policySuite } from './suite-policies.js';
import { queueSuite } from './suite-queue.js';
import { registryStatusSuite } from './suite-registry-status.js';
import { rematchSuite } from './suite-rematch.js';
import { runtimeSuite } from './suite-runtime.js';
import { scanSuite } from './suite-scans.js';
import { webUsersSuite } from './suite-web-users.js';

export function storeSuite(fixture: BackendFixture): void {
  describe(`state store on ${fixture.dialect}`, () => {
    const closers: (() => Promise<void>)[] = [];
    const h = harness(fixture, closers);
    before(() => fixture.setup());
    // The stores a test opened close when it ends. Kept open to the end of the suite, their
    // pools (up to 10 connections each) added up to PostgreSQL's 100 connections, and the
    // suite failed with "too many clients" whenever a test held a few more.
    afterEach(async () => {
      for (const close of closers.splice(0).reverse()) await close();
    });
    after(async () => {
      for (const close of closers.reverse()) await close();
      await fixture.teardown();
    });
    describe('migrations', () => migrationSuite(h));
    describe('registries, repositories, tags, images', () => catalogSuite(h));
    describe('scans, inventories, findings, package index', () => scanSuite(h));
    describe('policies, exceptions, verdicts', () => policySuite(h));
    describe('job queue', () => queueSuite(h));
    describe('rescans: rows under keys, package facts, batch apply', () => rematchSuite(h));
    describe('events, API tokens, audit log', () => logsSuite(h));
    describe('registry hook secrets', () => hookSecretsSuite(h));
    describe('job release', () => jobReleaseSuite(h));
    describe('webhooks, deliveries, notifier state, Harbor scans', () => notificationSuite(h));
    describe('listings for the HTTP API', () => listingsSuite(h));
    describe('dashboard users and sessions', () => webUsersSuite(h));
    describe('runtime: nodes, containers, running images', () => runtimeSuite(h));
    describe('registry status and VEX documents', () => registryStatusSuite(h));
  });
}
