import type { Analyzer } from '../types.js';
import { DPKG_STATUS_D } from './dpkg-status.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

const INFO = 'var/lib/dpkg/info/';

/** `info/<pkg>.list` or `info/<pkg>:<arch>.list` (Multi-Arch: same packages). */
function isList(path: string): boolean {
  return path.startsWith(INFO) && path.endsWith('.list') && !path.slice(INFO.length).includes('/');
}

/** Distroless keeps no .list files, but its status.d/<pkg>.md5sums lists the package's files. */
function isStatusDMd5sums(path: string): boolean {
  return path.startsWith(DPKG_STATUS_D) && path.endsWith('.md5sums') && !path.slice(DPKG_STATUS_D.length).includes('/');
}

/**
 * Paths in a dpkg file list: one absolute path per line, "/." first for the
 * root. Leading "/" stripped; the root entry dropped; directories kept (a
 * .list does not say which lines are directories; consumers test membership).
 */
export function parseDpkgList(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const path = raw.replace(/\r$/, '').replace(/^\/+/, '').replace(/\/+$/, '');
    if (path === '' || path === '.') continue;
    out.push(path);
  }
  return out;
}

/** md5sums: "<32 hex>  <path relative to />" per line (dpkg's DEBIAN/md5sums format). */
export function parseMd5sums(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const m = /^[0-9a-fA-F]{32} [ *]?(.+?)\r?$/.exec(raw);
    if (m?.[1]) out.push(m[1].replace(/^\/+/, ''));
  }
  return out;
}

export const dpkgFiles: Analyzer = {
  name: 'dpkg-files',
  version: ANALYZER_VERSIONS['dpkg-files'],
  wants: (path) => isList(path) || isStatusDMd5sums(path),
  analyze: (file) => ({
    ownedFiles: isList(file.path) ? parseDpkgList(file.text()) : parseMd5sums(file.text()),
  }),
};
