/**
 * AdmissionReview, admission.k8s.io/v1 (Kubernetes API reference,
 * "Dynamic Admission Control": request and response): parsed at the
 * boundary with one schema; the response echoes the request's uid.
 */
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CustomsError } from '../core/index.js';

const GroupVersionKind = Type.Object({ group: Type.String(), version: Type.String(), kind: Type.String() });

const Request = Type.Object({
  uid: Type.String({ minLength: 1 }),
  kind: GroupVersionKind,
  resource: Type.Optional(Type.Object({ group: Type.String(), version: Type.String(), resource: Type.String() })),
  subResource: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  namespace: Type.Optional(Type.String()),
  operation: Type.Union([
    Type.Literal('CREATE'),
    Type.Literal('UPDATE'),
    Type.Literal('DELETE'),
    Type.Literal('CONNECT'),
  ]),
  userInfo: Type.Optional(Type.Object({ username: Type.Optional(Type.String()) })),
  object: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  oldObject: Type.Optional(Type.Unknown()),
  dryRun: Type.Optional(Type.Boolean()),
});

const Review = Type.Object({
  apiVersion: Type.Literal('admission.k8s.io/v1'),
  kind: Type.Literal('AdmissionReview'),
  request: Request,
});

export type AdmissionRequest = Static<typeof Request>;

const check = TypeCompiler.Compile(Review);

/** The request of an AdmissionReview body; ADMISSION_REVIEW_INVALID lists what is wrong. */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (check.Check(body)) return (body as Static<typeof Review>).request;
  const problems = [...check.Errors(body)].slice(0, 10).map((e) => `${e.path || '/'}: ${e.message}`);
  throw new CustomsError(
    'ADMISSION_REVIEW_INVALID',
    `not an admission.k8s.io/v1 AdmissionReview: ${problems.join('; ')}`,
  );
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly message: string; readonly reason?: string };
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
  readonly patchType?: 'JSONPatch';
  /** base64 of the JSONPatch (RFC 6902) document. */
  readonly patch?: string;
}

export function reviewResponse(response: AdmissionResponse): {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponse;
} {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
