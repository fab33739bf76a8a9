/**
 * Headless Chromium for the browser tests (Debian's `chromium`, driven by playwright-core):
 * the binary, and flags that keep it from reaching anything but the page under test.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
