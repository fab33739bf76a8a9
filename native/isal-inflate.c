/*
 * gzip inflate with Intel ISA-L (Debian libisal2) for Node, through Node-API.
 *
 * One stateful inflater per gzip member: the caller parses the member's header (RFC 1952
 * §2.3) and passes the deflate data and trailer that follow it. `inflate` decodes on libuv's thread pool, as
 * node:zlib does, so the calling thread hashes and walks the previous output meanwhile;
 * ISA-L inflates about twice as fast as zlib on x86-64 (docs/adr/0009). Member
 * boundaries, trailing bytes and every limit are the caller's (src/image/isal-inflate.ts):
 * this file only turns bytes into bytes and reports what ISA-L said.
 *
 *   create() -> handle
 *   inflate(handle, input, inOffset, output, outOffset, callback)
 *       callback(status, consumed, produced, memberEnded)  status: ISA-L's return code,
 *       or -100 when the work was cancelled before it ran
 *   reset(handle)   start a new gzip member (after its header)
 */
#include <isa-l/igzip_lib.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

/* Not one of ISA-L's codes (igzip_lib.h: -1 … -9). */
#define INFLATE_CANCELLED -100

typedef struct {
  struct inflate_state state;
  int busy;
} inflater;

typedef struct {
  inflater *inf;
  napi_ref handle_ref;
  napi_ref in_ref;
  napi_ref out_ref;
  napi_ref cb_ref;
  napi_async_work work;
  uint8_t *in;
  uint32_t in_len;
  uint8_t *out;
  uint32_t out_len;
  int status;
  uint32_t consumed;
  uint32_t produced;
  int ended;
} job;

#define CHECK(call)                                                                 \
  do {                                                                              \
    if ((call) != napi_ok) {                                                        \
      napi_throw_error(env, "ISAL_ADDON", "isal-inflate: Node-API call failed: " #call); \
      return NULL;                                                                  \
    }                                                                               \
  } while (0)

static void finalize_inflater(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

static void reset_state(inflater *inf) {
  isal_inflate_init(&inf->state);
  /* The member's header is parsed by the caller, which then hands over the deflate data:
   * ISA-L 2.30 misreads a header with FNAME or FHCRC that arrives in pieces. ISA-L checks
   * the trailer (CRC-32 and ISIZE) that follows the deflate data. */
  inf->state.crc_flag = ISAL_GZIP_NO_HDR_VER;
}

static napi_value create(napi_env env, napi_callback_info info) {
  (void)info;
  inflater *inf = calloc(1, sizeof(inflater));
  if (inf == NULL) {
    napi_throw_error(env, "ENOMEM", "isal-inflate: out of memory");
    return NULL;
  }
  reset_state(inf);
  napi_value handle;
  if (napi_create_external(env, inf, finalize_inflater, NULL, &handle) != napi_ok) {
    free(inf);
    napi_throw_error(env, "ISAL_ADDON", "isal-inflate: cannot create the handle");
    return NULL;
  }
  return handle;
}

static inflater *get_inflater(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "ISAL_ADDON", "isal-inflate: not an inflater handle");
    return NULL;
  }
  return (inflater *)data;
}

static napi_value reset(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  inflater *inf = get_inflater(env, argv[0]);
  if (inf == NULL) return NULL;
  if (inf->busy) {
    napi_throw_error(env, "ISAL_ADDON", "isal-inflate: reset while an inflate is running");
    return NULL;
  }
  reset_state(inf);
  return NULL;
}

static void execute(napi_env env, void *data) {
  (void)env;
  job *j = (job *)data;
  struct inflate_state *s = &j->inf->state;
  s->next_in = j->in;
  s->avail_in = j->in_len;
  s->next_out = j->out;
  s->avail_out = j->out_len;
  j->status = isal_inflate(s);
  j->consumed = j->in_len - s->avail_in;
  j->produced = j->out_len - s->avail_out;
  j->ended = s->block_state == ISAL_BLOCK_FINISH;
}

static void complete(napi_env env, napi_status status, void *data) {
  job *j = (job *)data;
  j->inf->busy = 0;
  napi_value cb, global, argv[4];
  napi_get_reference_value(env, j->cb_ref, &cb);
  napi_get_global(env, &global);
  /* Work that never ran (the thread or process is shutting down) reports a code of its own. */
  napi_create_int32(env, status == napi_ok ? j->status : INFLATE_CANCELLED, &argv[0]);
  napi_create_uint32(env, j->consumed, &argv[1]);
  napi_create_uint32(env, j->produced, &argv[2]);
  napi_get_boolean(env, j->ended, &argv[3]);
  napi_delete_reference(env, j->handle_ref);
  napi_delete_reference(env, j->in_ref);
  napi_delete_reference(env, j->out_ref);
  napi_delete_reference(env, j->cb_ref);
  napi_delete_async_work(env, j->work);
  free(j);
  napi_call_function(env, global, cb, 4, argv, NULL);
}

static int buffer_range(napi_env env, napi_value buf, napi_value offset, uint8_t **ptr, uint32_t *len) {
  void *data = NULL;
  size_t size = 0;
  uint32_t off = 0;
  if (napi_get_buffer_info(env, buf, &data, &size) != napi_ok) return 0;
  if (napi_get_value_uint32(env, offset, &off) != napi_ok || off > size) return 0;
  size_t rest = size - off;
  *ptr = (uint8_t *)data + off;
  *len = rest > UINT32_MAX ? UINT32_MAX : (uint32_t)rest;
  return 1;
}

static napi_value inflate(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, "ISAL_ADDON", "isal-inflate: inflate(handle, input, inOffset, output, outOffset, callback)");
    return NULL;
  }
  inflater *inf = get_inflater(env, argv[0]);
  if (inf == NULL) return NULL;
  if (inf->busy) {
    napi_throw_error(env, "ISAL_ADDON", "isal-inflate: an inflate is already running on this handle");
    return NULL;
  }
  job *j = calloc(1, sizeof(job));
  if (j == NULL) {
    napi_throw_error(env, "ENOMEM", "isal-inflate: out of memory");
    return NULL;
  }
  j->inf = inf;
  if (!buffer_range(env, argv[1], argv[2], &j->in, &j->in_len) ||
      !buffer_range(env, argv[3], argv[4], &j->out, &j->out_len)) {
    free(j);
    napi_throw_range_error(env, "ISAL_ADDON", "isal-inflate: input or output is not a Buffer, or its offset is past its end");
    return NULL;
  }
  napi_value name;
  if (napi_create_reference(env, argv[0], 1, &j->handle_ref) != napi_ok ||
      napi_create_reference(env, argv[1], 1, &j->in_ref) != napi_ok ||
      napi_create_reference(env, argv[3], 1, &j->out_ref) != napi_ok ||
      napi_create_reference(env, argv[5], 1, &j->cb_ref) != napi_ok ||
      napi_create_string_utf8(env, "customs:isal-inflate", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute, complete, j, &j->work) != napi_ok ||
      napi_queue_async_work(env, j->work) != napi_ok) {
    napi_throw_error(env, "ISAL_ADDON", "isal-inflate: cannot queue the inflate");
    return NULL;
  }
  inf->busy = 1;
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"create", NULL, create, NULL, NULL, NULL, napi_default, NULL},
      {"inflate", NULL, inflate, NULL, NULL, NULL, napi_default, NULL},
      {"reset", NULL, reset, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
