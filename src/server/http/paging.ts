/**
 * Cursor pagination (docs/api.md "Pagination"): a page is `{items, nextCursor}`;
 * the cursor is opaque to clients (base64url of the last row's sort key and
 * the listing it belongs to), so the sort key can change without breaking them.
 * Every listing sorts by a database id, which never changes nor is reused:
 * the order is stable while rows are added.
 */
import { type TSchema, Type } from '@sinclair/typebox';
import { CustomsError } from '../../core/index.js';

export const PageQuerySchema = {
  cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page', maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'Items per page' })),
};

export const pageOf = <T extends TSchema>(item: T, description: string) =>
  Type.Object(
    {
      items: Type.Array(item),
      nextCursor: Type.Optional(Type.String({ description: 'Pass as ?cursor= for the next page; absent on the last' })),
    },
    { description },
  );

interface CursorState {
  /** Which listing the cursor belongs to. */
  readonly l: string;
  /** The last id of the page. */
  readonly a: number;
}

export function encodeCursor(listing: string, afterId: number): string {
  const state: CursorState = { l: listing, a: afterId };
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

/** The id to continue after (0 without a cursor); API_REQUEST_INVALID for a cursor of another listing or garbage. */
export function decodeCursor(listing: string, cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  let state: unknown;
  try {
    state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    state = undefined;
  }
  const s = state as Partial<CursorState> | undefined;
  if (typeof s !== 'object' || s === null || s.l !== listing || !Number.isSafeInteger(s.a) || (s.a ?? -1) < 0) {
    throw new CustomsError(
      'API_REQUEST_INVALID',
      `cursor "${cursor.slice(0, 40)}" is not a cursor of this listing; pass the nextCursor of the previous page unchanged`,
    );
  }
  return s.a ?? 0;
}

/** The page for rows fetched with limit + 1: the extra row only says there is a next page. */
export function page<T>(listing: string, rows: readonly T[], limit: number, idOf: (t: T) => number) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return rows.length > limit && last !== undefined
    ? { items, nextCursor: encodeCursor(listing, idOf(last)) }
    : { items };
}

/** A store record as a response body: the same value, its readonly arrays typed as the schemas' arrays. */
export type Mutable<T> = T extends readonly (infer U)[]
  ? Mutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Mutable<T[K]> }
    : T;
export const body = <T>(value: T): Mutable<T> => value as Mutable<T>;
