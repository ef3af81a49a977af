/*
 * cmd_proxy.c - `blackbar proxy`: a local reverse proxy for model APIs
 * (OpenAI Responses and Chat, Anthropic Messages, Gemini, Azure OpenAI)
 * on libmicrohttpd, a thread per connection. This file reads the
 * settings, loads the rules, starts the server and stops it: on SIGTERM
 * or SIGINT it stops accepting, lets the requests in flight finish (up
 * to --drain-timeout) and exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <curl/curl.h>

#include "cli_answer.h"
#include "proxy.h"

static const char usage[] =
    "usage: blackbar proxy [OPTIONS] --upstream URL\n"
    "\n"
    "A local reverse proxy for model APIs: every request's PII and secrets\n"
    "are replaced by placeholders before it is forwarded, every answer is\n"
    "moderated and has the values put back (streams event by event), and\n"
    "blocks are answered in the provider's error format. Routes: POST\n"
    "/v1/responses, /v1/chat/completions, /v1/messages, /v1/moderations,\n"
    "/v1beta/models/M:generateContent and :streamGenerateContent, Azure\n"
    "/openai/deployments/D/chat/completions and .../responses; GET /healthz\n"
    "and /metrics (Prometheus). Other paths are refused unless passed.\n"
    "\n"
    "Options:\n"
    "  -l, --listen HOST:PORT  where to listen (default 127.0.0.1:8787;\n"
    "                          port 0 picks a free one)\n"
    "      --port-file FILE    write the port listened on to FILE\n"
    "  -u, --upstream URL      the API requests go to; /PREFIX=URL sends\n"
    "                          paths under /PREFIX there (prefix removed);\n"
    "                          repeatable\n"
    "      --pass [METHOD ]PATH  forward PATH too (e.g. 'GET /v1/models');\n"
    "                          a JSON body is still scrubbed; repeatable\n"
    "  -c, --config FILE       settings as JSON, keys named as these flags\n"
    "                          (flags given as well win)\n"
    "  -r, --rules PATH        add a rule pack; repeatable (a rule whose\n"
    "                          action is block refuses the request)\n"
    "      --no-default-rules  do not load the built-in packs\n"
    "      --audit FILE        append redactions and blocks (with the\n"
    "                          request id the client saw) to the audit log\n"
    "      --audit-key-file F  the audit key (else $BLACKBAR_AUDIT_KEY or\n"
    "                          ~/.config/blackbar/audit.key)\n"
    "      --max-body BYTES    larger request bodies get 413 (default 32 MiB)\n"
    "      --timeout S         seconds an upstream attempt may take, a\n"
    "                          stream to its end included (default 600)\n"
    "      --retries N         retries on connection errors, 429 and 5xx\n"
    "                          before any byte went out (default 2)\n"
    "      --concurrency N     requests at the upstream at once; more wait\n"
    "                          (default 64)\n"
    "      --queue-timeout S   how long they wait before a 503 (default 30)\n"
    "      --max-connections N open client connections (default 1024)\n"
    "      --conversation-ttl S  keep a Responses conversation's vault for\n"
    "                          previous_response_id (default 3600)\n"
    "      --conversation-max N  conversations kept (default 1024; 0: none)\n"
    "      --drain-timeout S   on SIGTERM, wait for requests in flight\n"
    "                          (default 30)\n"
    "  -h, --help              show this help\n";

enum {
    OPT_PORT_FILE = OPT_HELP + 1,
    OPT_PASS,
    OPT_MAX_BODY,
    OPT_TIMEOUT,
    OPT_RETRIES,
    OPT_CONCURRENCY,
    OPT_QUEUE_TIMEOUT,
    OPT_MAX_CONNS,
    OPT_CONV_TTL,
    OPT_CONV_MAX,
    OPT_DRAIN
};

static const struct option longopts[] = {
    { "listen", required_argument, NULL, 'l' },
    { "port-file", required_argument, NULL, OPT_PORT_FILE },
    { "upstream", required_argument, NULL, 'u' },
    { "pass", required_argument, NULL, OPT_PASS },
    { "config", required_argument, NULL, 'c' },
    { "rules", required_argument, NULL, 'r' },
    { "no-default-rules", no_argument, NULL, OPT_NO_DEFAULT },
    { "audit", required_argument, NULL, OPT_AUDIT },
    { "audit-key-file", required_argument, NULL, OPT_AUDIT_KEY_FILE },
    { "max-body", required_argument, NULL, OPT_MAX_BODY },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "retries", required_argument, NULL, OPT_RETRIES },
    { "concurrency", required_argument, NULL, OPT_CONCURRENCY },
    { "queue-timeout", required_argument, NULL, OPT_QUEUE_TIMEOUT },
    { "max-connections", required_argument, NULL, OPT_MAX_CONNS },
    { "conversation-ttl", required_argument, NULL, OPT_CONV_TTL },
    { "conversation-max", required_argument, NULL, OPT_CONV_MAX },
    { "drain-timeout", required_argument, NULL, OPT_DRAIN },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

/* A numeric flag within [lo, hi]. */
static int num(const char *arg, const char *name, long lo, long hi,
               long *out)
{
    char *end;
    long v = strtol(arg, &end, 10);

    if (*end != '\0' || end == arg || v < lo || v > hi) {
        cli_error("proxy", "bad --%s %s (%ld to %ld)", name, arg, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int number_option(struct proxy_conf *c, int opt, const char *arg)
{
    const struct option *o;
    long v = 0;
    int rc;

    for (o = longopts; o->name != NULL && o->val != opt; o++) {
    }
    switch (opt) {
    case OPT_MAX_BODY:
        rc = num(arg, o->name, 1, 1L << 30, &v);
        c->max_body = (size_t)v;
        return rc;
    case OPT_TIMEOUT:
        return num(arg, o->name, 1, 86400, &c->timeout_s);
    case OPT_RETRIES:
        rc = num(arg, o->name, 0, 10, &v);
        c->retries = (unsigned)v;
        return rc;
    case OPT_CONCURRENCY:
        rc = num(arg, o->name, 1, 4096, &v);
        c->concurrency = (unsigned)v;
        return rc;
    case OPT_QUEUE_TIMEOUT:
        return num(arg, o->name, 0, 3600, &c->queue_timeout_s);
    case OPT_MAX_CONNS:
        rc = num(arg, o->name, 1, 65536, &v);
        c->max_conns = (unsigned)v;
        return rc;
    case OPT_CONV_TTL:
        return num(arg, o->name, 1, 604800, &c->conv_ttl_s);
    case OPT_CONV_MAX:
        rc = num(arg, o->name, 0, 1L << 20, &v);
        c->conv_max = (unsigned)v;
        return rc;
    case OPT_DRAIN:
        return num(arg, o->name, 0, 3600, &c->drain_s);
    default:
        return 1;
    }
}

/* --config first, wherever it is; then the flags. 1: --help. */
static int options(struct proxy_conf *c, int argc, char **argv)
{
    int rc = 0;
    int i;
    int o;

    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        size_t k = eq ? (size_t)(eq - a) : strlen(a);
        const char *file = NULL;

        if (strcmp(a, "-c") == 0 ||
            (k >= 6 && strncmp(a, "--config", k) == 0 && eq == NULL)) {
            file = i + 1 < argc ? argv[++i] : NULL;
        } else if (k >= 6 && strncmp(a, "--config", k) == 0) {
            file = eq + 1;
        } else if (strncmp(a, "-c", 2) == 0 && a[2] != '\0') {
            file = a + 2;
        }
        if (file != NULL && proxy_conf_file(c, file) < 0) {
            return -1;
        }
    }
    optind = 1;
    opterr = 0;
    while (rc == 0 &&
           (o = getopt_long(argc, argv, "l:u:c:r:h", longopts, NULL)) != -1) {
        int r = cli_rules_option(&c->rules, o, optarg, "proxy");

        if (r != 0) {
            rc = r < 0 ? -1 : 0;
        } else if (o == 'h') {
            fputs(usage, stdout);
            return 1;
        } else if (o == 'l') {
            rc = proxy_conf_listen(c, optarg);
        } else if (o == 'u') {
            rc = proxy_conf_upstream(c, optarg);
        } else if (o == OPT_PASS) {
            rc = proxy_conf_pass(c, optarg);
        } else if (o == 'c') {
            continue; /* read above */
        } else if (o == OPT_PORT_FILE) {
            c->port_file = optarg;
        } else if (o == OPT_AUDIT) {
            c->audit = optarg;
        } else if (o == OPT_AUDIT_KEY_FILE) {
            c->audit_key = optarg;
        } else if ((r = number_option(c, o, optarg)) <= 0) {
            rc = r;
        } else {
            cli_bad_option("proxy", argc, argv);
            rc = -1;
        }
    }
    if (rc == 0 && optind != argc) {
        cli_error("proxy", "unexpected argument '%s'", argv[optind]);
        rc = -1;
    }
    if (rc == 0 && c->nup == 0) {
        cli_error("proxy", "give an upstream (--upstream URL)");
        rc = -1;
    }
    return rc;
}

static struct MHD_Daemon *start(struct proxy *p)
{
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *di;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)p->conf.port);
    if (inet_pton(AF_INET, p->conf.host, &sa.sin_addr) != 1) {
        cli_error("proxy", "bad address %s (an IPv4 address, such as "
                  "127.0.0.1)", p->conf.host);
        return NULL;
    }
    d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
            MHD_USE_ITC | MHD_USE_ERROR_LOG,
        0, NULL, NULL, proxy_handle, p,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_URI_LOG_CALLBACK, proxy_uri, p,
        MHD_OPTION_NOTIFY_COMPLETED, proxy_completed, p,
        MHD_OPTION_NOTIFY_CONNECTION, proxy_connection, p,
        MHD_OPTION_CONNECTION_LIMIT, p->conf.max_conns,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 512u,
        MHD_OPTION_END);
    if (d == NULL) {
        cli_error("proxy", "cannot listen on %s:%u", p->conf.host,
                  p->conf.port);
        return NULL;
    }
    di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    p->conf.port = di ? di->port : p->conf.port;
    return d;
}

static int write_port(const char *path, unsigned port)
{
    struct cli_atomic a;

    if (cli_atomic_open(&a, path, "proxy") < 0) {
        return -1;
    }
    fprintf(a.f, "%u\n", port);
    if (cli_atomic_commit(&a) < 0) {
        cli_error("proxy", "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Until a signal; then the requests in flight may finish. */
static void serve(struct proxy *p, struct MHD_Daemon *d)
{
    struct timespec tick = { 0, 100 * 1000000L };
    time_t until;

    while (!stop_signal) {
        nanosleep(&tick, NULL);
    }
    fprintf(stderr, "blackbar: proxy: stopping (signal %d): %u requests in "
            "flight\n", (int)stop_signal, p->active);
    MHD_quiesce_daemon(d);
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv);
    until = time(NULL) + p->conf.drain_s;
    while (p->active > 0 && time(NULL) < until) {
        struct timespec t;

        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_sec += 1;
        pthread_cond_timedwait(&p->cv, &p->mu, &t);
    }
    pthread_mutex_unlock(&p->mu);
    MHD_stop_daemon(d);
}

int cmd_proxy(int argc, char **argv)
{
    static struct proxy p;
    struct bb_ruleset *rs = NULL;
    struct bb_ruleset *mrs = NULL;
    struct MHD_Daemon *d = NULL;
    struct sigaction sa;
    int rc;

    memset(&p, 0, sizeof(p));
    proxy_conf_defaults(&p.conf);
    rc = options(&p.conf, argc, argv);
    if (rc != 0) {
        return rc > 0 ? EXIT_CLEAN : EXIT_ERROR;
    }
    rs = cli_load_rules(&p.conf.rules, "proxy");
    mrs = rs ? answer_rules("proxy") : NULL;
    if (mrs == NULL) {
        bb_ruleset_free(rs);
        return EXIT_ERROR;
    }
    p.rs = rs;
    p.mrs = mrs;
    pthread_mutex_init(&p.mu, NULL);
    pthread_mutex_init(&p.audit_mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    rc = metrics_init(&p.m, bb_ruleset_count(rs), bb_ruleset_count(mrs));
    rc = rc == 0 ? conv_new(&p.conv, p.conf.conv_ttl_s, p.conf.conv_max)
                 : rc;
    if (rc < 0) {
        cli_error("proxy", "out of memory");
    }
    if (rc == 0 && p.conf.audit != NULL) {
        p.audit = cli_audit_open(p.conf.audit, p.conf.audit_key, "proxy");
        rc = p.audit ? 0 : -1;
    }
    if (rc == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        cli_error("proxy", "libcurl would not start");
        rc = -1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    d = rc == 0 ? start(&p) : NULL;
    rc = d == NULL ? -1 : 0;
    if (rc == 0 && p.conf.port_file != NULL) {
        rc = write_port(p.conf.port_file, p.conf.port);
    }
    if (rc == 0) {
        fprintf(stderr, "blackbar: proxy: listening on http://%s:%u\n",
                p.conf.host, p.conf.port);
        serve(&p, d);
    } else if (d != NULL) {
        MHD_stop_daemon(d);
    }
    curl_global_cleanup();
    bb_audit_close(p.audit);
    conv_free(p.conv);
    metrics_free(&p.m);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    pthread_mutex_destroy(&p.audit_mu);
    bb_ruleset_free(rs);
    bb_ruleset_free(mrs);
    return rc < 0 ? EXIT_ERROR : EXIT_CLEAN;
}
