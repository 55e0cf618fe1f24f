/*
 * The engine's quiet load: TensorFlow's C library writes its start-up lines (absl's preamble,
 * oneDNN, cpu_feature_guard) straight to file descriptor 2 while it loads, before any of our
 * code could filter them, so only a redirect of the descriptor itself catches them. begin(path)
 * points fd 2 at a file, end() points it back; the engine then writes back every captured line
 * that is not known noise.
 *
 * If the load crashes (a CHECK failure's abort, an illegal instruction), the captured lines would
 * die with the process in a temporary file: a handler gives them back to the real stderr first,
 * using only async-signal-safe calls, then hands the signal to whoever had it before.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int saved = -1;   /* the real stderr while muted */
static int capture = -1; /* the file fd 2 points at while muted */
static const int SIGNALS[] = {SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSEGV};
#define NSIGNALS (sizeof SIGNALS / sizeof SIGNALS[0])
static struct sigaction previous[NSIGNALS];

static void restore_handlers(void) {
  for (size_t i = 0; i < NSIGNALS; i++) sigaction(SIGNALS[i], &previous[i], NULL);
}

static void on_crash(int sig, siginfo_t *info, void *context) {
  (void)context;
  if (saved >= 0) dup2(saved, 2);
  if (capture >= 0) {
    char buf[4096];
    off_t off = 0;
    ssize_t n;
    while ((n = pread(capture, buf, sizeof buf, off)) > 0) {
      if (write(2, buf, (size_t)n) < 0) break;
      off += n;
    }
  }
  saved = capture = -1;
  restore_handlers();
  /* A fault re-executes its instruction on return and meets the previous handler; a signal sent
     by abort() or kill() must be sent again to reach it. */
  if (info->si_code <= 0) raise(sig);
}

static napi_value fail(napi_env env, const char *what) {
  char msg[4096 + 128];
  snprintf(msg, sizeof msg, "stderr-mute: %s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static napi_value begin(napi_env env, napi_callback_info cb) {
  size_t argc = 1;
  napi_value argv[1];
  char path[4096];
  size_t len = 0;
  if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "stderr-mute: begin(path) takes the capture file's path");
    return NULL;
  }
  if (saved >= 0) {
    napi_throw_error(env, NULL, "stderr-mute: begin() while already muted: call end() first");
    return NULL;
  }
  int file = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (file < 0) return fail(env, path);
  int real = fcntl(2, F_DUPFD_CLOEXEC, 3);
  if (real < 0) {
    int err = errno;
    close(file);
    errno = err;
    return fail(env, "dup(2)");
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_crash;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  saved = real;
  capture = file;
  for (size_t i = 0; i < NSIGNALS; i++) sigaction(SIGNALS[i], &sa, &previous[i]);
  if (dup2(file, 2) < 0) {
    int err = errno;
    restore_handlers();
    saved = capture = -1;
    close(real);
    close(file);
    errno = err;
    return fail(env, "dup2(file, 2)");
  }
  return NULL;
}

static napi_value end(napi_env env, napi_callback_info cb) {
  (void)cb;
  if (saved < 0) return NULL; /* never muted, or a crash handler already gave fd 2 back */
  restore_handlers();
  int real = saved, file = capture;
  saved = capture = -1;
  int rc = dup2(real, 2);
  int err = errno;
  close(real);
  close(file);
  errno = err;
  if (rc < 0) return fail(env, "dup2(saved, 2)");
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"begin", NULL, begin, NULL, NULL, NULL, napi_enumerable, NULL},
      {"end", NULL, end, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
