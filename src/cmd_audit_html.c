/*
 * cmd_audit_html.c - blackbar audit's HTML report: one self-contained
 * page (inline CSS and SVG, no script, nothing fetched) drawn from the
 * report JSON. Every string of the report is untrusted and escaped; every
 * count drawn carries data-* attributes so a test can read it back.
 */
#include "cmd_audit_html.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Chart geometry in SVG user units (the charts scale to the page). */
#define CHART_W 1100.0
#define DAY_LEFT 64.0
#define DAY_PLOT_W (CHART_W - DAY_LEFT - 16)
#define DAY_TOP 24.0
#define DAY_PLOT_H 300.0
#define TYPE_LABEL_W 230.0
#define TYPE_ROW_H 26.0
#define DAY_SPAN_MAX 400 /* days without findings are gaps up to this span */

struct kv {
    const char *key;
    uint64_t n;
    size_t idx; /* position in the report's object: the colour */
};

struct day {
    const char *name;
    const cJSON *types; /* the day's object in by_day, or NULL */
    uint64_t total;
    long place; /* on the x axis, from 0 */
};

struct days {
    struct day *d;
    size_t n;
    long places; /* the x axis' length */
    uint64_t max; /* the most findings in a day */
    uint64_t sum;
};

/* Tableau 10, then its lighter companions: neighbours stay apart. */
static const char *const palette[] = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#a0cbe8", "#ffbe7d",
    "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63", "#d4a6c8", "#fabfd2",
    "#d7b5a6", "#79706e",
};

static const char head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width\">\n<meta "
    "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'\">\n<title>blackbar audit report</title>\n"
    "<style>\nbody{font:15px/1.45 system-ui,sans-serif;color:#1d232a;"
    "margin:0 auto;\n max-width:1160px;padding:24px}\nh2{font-size:1.25em;"
    "margin-top:1.8em;border-bottom:1px solid #d0d7de}\n.lead{font-size:"
    "1.2em}\n.none{color:#57606a;font-style:italic}\n.warn{background:"
    "#fff3cd;border:1px solid #e0b000;padding:.5em}\nsvg.chart{width:100%;"
    "height:auto}\nsvg text{font:12px system-ui,sans-serif;fill:#1d232a}\n"
    ".grid{stroke:#e1e4e8}\n.axis{stroke:#57606a}\nul.legend{list-style:"
    "none;padding:0;display:flex;flex-wrap:wrap;gap:.3em 1.2em}\n"
    "ul.legend svg{margin-right:.35em}\ntable{border-collapse:collapse}\n"
    "th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;"
    "vertical-align:top}\nth{background:#f3f5f7}\ntd.n,th.n{text-align:"
    "right;font-variant-numeric:tabular-nums}\ntd.w{word-break:break-all;"
    "max-width:46em}\ntr.error td{background:#fdecea;color:#8a1c1c}\n"
    "footer{margin-top:2.5em;color:#57606a;font-size:.85em}\n"
    "</style>\n</head>\n<body>\n";

static uint64_t count_of(const cJSON *n)
{
    return cJSON_IsNumber(n) && n->valuedouble > 0
               ? (uint64_t)(n->valuedouble < 1e15 ? n->valuedouble : 1e15)
               : 0;
}

/* A count and a string of an object (0 and NULL if absent or mistyped) */
#define member_n(o, key) count_of(cJSON_GetObjectItemCaseSensitive(o, key))
#define member_s(o, key)                                                    \
    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key))

/* o[key] if it is an object (an array if want_array), else NULL. */
static const cJSON *member_o(const cJSON *o, const char *key, int want_array)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return (want_array ? cJSON_IsArray(v) : cJSON_IsObject(v)) ? v : NULL;
}

/* Untrusted text into HTML text or a quoted attribute: & < > " ' as
 * references, control bytes as U+FFFD; at most max characters, then "…". */
static void put_esc(FILE *f, const char *s, size_t max)
{
    static const char *const refs[] = { "&amp;", "&lt;", "&gt;", "&quot;",
                                        "&#39;" };
    size_t chars = 0;

    for (; s != NULL && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        const char *r = strchr("&<>\"'", c);

        if ((c & 0xc0) != 0x80 && chars++ == max) {
            fputs("\xe2\x80\xa6", f);
            return;
        }
        if (r != NULL) {
            fputs(refs[r - "&<>\"'"], f);
        } else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
            fputs("\xef\xbf\xbd", f);
        } else {
            fputc(c, f);
        }
    }
}

/*
 * fprintf for this page: %s text, %e untrusted text escaped, %E the same
 * cut to 24 characters, %u a uint64_t, %, a uint64_t as 1,234,
 * %n a uint64_t and a noun, plural unless 1 ("1,000 records"), %% a
 * share (uint64_t part, uint64_t whole) as 12.5%, %f a double.
 */
static void put(FILE *f, const char *fmt, ...)
{
    va_list ap;
    char d[24];
    uint64_t v;
    uint64_t w;
    int i;

    va_start(ap, fmt);
    for (; *fmt != '\0'; fmt++) {
        if (*fmt != '%' || fmt[1] == '\0') {
            fputc(*fmt, f);
            continue;
        }
        switch (*++fmt) {
        case 's':
            fputs(va_arg(ap, const char *), f);
            break;
        case 'e':
        case 'E':
            put_esc(f, va_arg(ap, const char *), *fmt == 'e' ? SIZE_MAX : 24);
            break;
        case 'u':
            fprintf(f, "%llu", (unsigned long long)va_arg(ap, uint64_t));
            break;
        case ',':
        case 'n':
            v = va_arg(ap, uint64_t);
            w = (uint64_t)snprintf(d, sizeof(d), "%llu", (unsigned long long)v);
            for (i = 0; d[i] != '\0'; i++) {
                if (i > 0 && (w - (uint64_t)i) % 3 == 0) {
                    fputc(',', f);
                }
                fputc(d[i], f);
            }
            if (*fmt == 'n') {
                fprintf(f, " %s%s", va_arg(ap, const char *),
                        v == 1 ? "" : "s");
            }
            break;
        case '%':
            v = va_arg(ap, uint64_t);
            w = va_arg(ap, uint64_t);
            v = w == 0 ? 0 : (v * 1000 + w / 2) / w;
            fprintf(f, "%llu.%llu%%", (unsigned long long)(v / 10),
                    (unsigned long long)(v % 10));
            break;
        default:
            fprintf(f, "%.2f", va_arg(ap, double));
        }
    }
    va_end(ap);
}

#define colour(idx) palette[(idx) % (sizeof(palette) / sizeof(palette[0]))]

/* The colour of a type: its position among the report's by_type keys. */
static const char *type_colour(const cJSON *by_type, const char *type)
{
    const cJSON *t;
    size_t i = 0;

    cJSON_ArrayForEach(t, by_type) {
        if (t->string != NULL && strcmp(t->string, type) == 0) {
            return colour(i);
        }
        i++;
    }
    return "#555555";
}

static int kv_cmp(const void *a, const void *b)
{
    const struct kv *x = a;
    const struct kv *y = b;

    return x->n != y->n ? (x->n > y->n ? -1 : 1) : strcmp(x->key, y->key);
}

/* An object's members as (key, count), most first. -1 if out of memory. */
static int sorted_counts(struct kv **out, size_t *n_out, const cJSON *obj)
{
    size_t n = (size_t)cJSON_GetArraySize(obj);
    struct kv *v = n > 0 ? calloc(n, sizeof(*v)) : NULL;
    const cJSON *it;
    size_t i = 0;

    cJSON_ArrayForEach(it, (v != NULL ? obj : NULL)) {
        v[i].key = it->string != NULL ? it->string : "";
        v[i].n = count_of(it);
        v[i].idx = i;
        i++;
    }
    if (i > 0) {
        qsort(v, i, sizeof(*v), kv_cmp);
    }
    *out = v;
    *n_out = i;
    return n > 0 && v == NULL ? -1 : 0;
}

/* A scale for max: ticks every 1, 2 or 5 x 10^k (*step), up to the top. */
static uint64_t nice_top(uint64_t *step, uint64_t max)
{
    static const uint64_t m[] = { 1, 2, 5 };
    uint64_t mag = 1;
    size_t i = 0;

    for (*step = 1; *step * 5 < max; *step = mag * m[i % 3]) {
        mag *= ++i % 3 == 0 ? 10 : 1;
    }
    return (max + *step - 1) / *step * *step;
}

static void put_summary(FILE *f, const cJSON *totals)
{
    static const char *const keys[8] = {
        "findings", "records", "files", "distinct", "errors",
        "records_with_findings", "not_json", "bytes"
    };
    uint64_t v[8];
    size_t i;

    for (i = 0; i < 8; i++) {
        v[i] = member_n(totals, keys[i]);
    }
    fputs("<h1>blackbar audit report</h1>\n<p class=\"lead\" id=\"summary\">",
          f);
    if (v[0] == 0) {
        put(f, "No personal data or secrets found in %n of %n.</p>\n", v[1],
            "record", v[2], "file");
    } else {
        put(f, "%n of personal data or secrets in %n of %n; %n.</p>\n",
            v[0], "finding", v[1], "record", v[2], "file", v[3],
            "distinct value");
    }
    put(f, "<p id=\"totals\" data-findings=\"%u\" data-records=\"%u\" "
        "data-files=\"%u\" data-distinct=\"%u\" data-errors=\"%u\" "
        "data-records-with-findings=\"%u\" data-not-json=\"%u\" data-bytes="
        "\"%u\">%n with findings; %n not JSON (scanned as text); %, bytes "
        "read. The values are not in this report: each is counted by a "
        "keyed fingerprint.</p>\n", v[0], v[1], v[2], v[3], v[4], v[5],
        v[6], v[7], v[5], "record", v[6], "line", v[7]);
    if (v[4] > 0) {
        put(f, "<p class=\"warn\" id=\"incomplete\"><strong>Incomplete "
            "audit:</strong> %n of the input could not be read (see Files "
            "and errors); the rest was audited.</p>\n", v[4], "part");
    }
}

/* Days since 1970-01-01 of a date written YYYY-MM-DD (H. Hinnant's
 * days_from_civil), else -1. */
static long day_number(const char *s)
{
    int y;
    int m;
    int d;

    if (s == NULL || strlen(s) != 10 ||
        sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || y < 1970 || m < 1 ||
        m > 12 || d < 1 || d > 31) {
        return -1;
    }
    y -= m <= 2;
    return 365L * y + y / 4 - y / 100 + y / 400 +
           (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 719469;
}

/* by_day's days in order, with totals and places on the x axis: the
 * calendar (days without findings are gaps) if every key is a date and
 * the span is short, else one place a key. -1 if out of memory. */
static int collect_days(struct days *out, const cJSON *by_day)
{
    size_t n = (size_t)cJSON_GetArraySize(by_day);
    struct day *d = n > 0 ? calloc(n, sizeof(*d)) : NULL;
    int dates = 1;
    const cJSON *it;
    const cJSON *t;
    size_t i = 0;

    memset(out, 0, sizeof(*out));
    cJSON_ArrayForEach(it, (d != NULL ? by_day : NULL)) {
        d[i].name = it->string != NULL ? it->string : "";
        d[i].types = cJSON_IsObject(it) ? it : NULL;
        d[i].place = day_number(d[i].name);
        dates &= d[i].place >= 0 && (i == 0 || d[i].place > d[i - 1].place);
        cJSON_ArrayForEach(t, d[i].types) {
            d[i].total += count_of(t);
        }
        out->max = d[i].total > out->max ? d[i].total : out->max;
        out->sum += d[i++].total;
    }
    dates &= i > 0 && d[i - 1].place - d[0].place < DAY_SPAN_MAX;
    for (out->n = i; i-- > 0;) {
        d[i].place = dates ? d[i].place - d[0].place : (long)i;
    }
    out->d = d;
    out->places = out->n > 0 ? d[out->n - 1].place + 1 : 0;
    return n > 0 && d == NULL ? -1 : 0;
}

/* The legend, the chart's frame and its y axis (findings) */
static void day_axis(FILE *f, const cJSON *by_type, uint64_t max,
                     double height)
{
    double base = DAY_TOP + DAY_PLOT_H;
    const cJSON *it;
    size_t i = 0;
    uint64_t step;
    uint64_t top = nice_top(&step, max);
    uint64_t t;

    fputs("<ul class=\"legend\">\n", f);
    cJSON_ArrayForEach(it, by_type) {
        put(f, "<li><svg width=\"12\" height=\"12\" aria-hidden=\"true\">"
            "<rect width=\"12\" height=\"12\" fill=\"%s\"/></svg>%e</li>\n",
            colour(i++), it->string);
    }
    put(f, "</ul>\n<svg class=\"chart\" viewBox=\"0 0 %f %f\" role=\"img\" "
        "aria-label=\"Findings per day, stacked by type\">\n", CHART_W,
        height);
    for (t = 0; t <= top; t += step) {
        double y = base - (double)t * DAY_PLOT_H / (double)top;

        put(f, "<line class=\"grid\" x1=\"%f\" y1=\"%f\" x2=\"%f\" "
            "y2=\"%f\"/><text x=\"%f\" y=\"%f\" text-anchor=\"end\">%,"
            "</text>\n", DAY_LEFT, y, DAY_LEFT + DAY_PLOT_W, y,
            DAY_LEFT - 8, y + 4, t);
    }
    put(f, "<line class=\"axis\" x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\"/>\n"
        "<text transform=\"translate(14 %f) rotate(-90)\" "
        "text-anchor=\"middle\">findings</text>\n", DAY_LEFT, base,
        DAY_LEFT + DAY_PLOT_W, base, DAY_TOP + DAY_PLOT_H / 2);
}

/* One day's stacked bar (x = its left edge), its total above it. */
static void day_bar(FILE *f, const struct day *d, const cJSON *by_type,
                    double x, double w, uint64_t top)
{
    double y = DAY_TOP + DAY_PLOT_H;
    const cJSON *t;

    put(f, "<g class=\"day\" data-day=\"%e\" data-count=\"%u\">\n", d->name,
        d->total);
    cJSON_ArrayForEach(t, d->types) {
        uint64_t v = count_of(t);
        double h = (double)v * DAY_PLOT_H / (double)top;

        if (v == 0) {
            continue;
        }
        y -= h;
        put(f, "<rect class=\"bar\" x=\"%f\" y=\"%f\" width=\"%f\" "
            "height=\"%f\" fill=\"%s\" data-day=\"%e\" data-type=\"%e\" "
            "data-count=\"%u\"><title>%e: %, %e</title></rect>\n", x, y, w,
            h, type_colour(by_type, t->string), d->name, t->string, v,
            d->name, v, t->string);
    }
    if (w >= 22) {
        put(f, "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\">%,</text>\n",
            x + w / 2, y - 4, d->total);
    }
    fputs("</g>\n", f);
}

/* The chart: the bars, and under them labels no closer than a date. */
static void day_bars(FILE *f, const struct days *ds, const cJSON *by_type)
{
    double slot = DAY_PLOT_W / (double)ds->places;
    double w = slot * 0.8 > 56 ? 56 : slot * 0.8;
    double ly = DAY_TOP + DAY_PLOT_H + 16;
    int tilt = slot < 76;
    long every = tilt ? (ds->places + 62) / 63 : 1;
    long next = 0;
    uint64_t step;
    uint64_t top = nice_top(&step, ds->max);
    size_t i;

    day_axis(f, by_type, ds->max, ly + (tilt ? 64 : 14));
    for (i = 0; i < ds->n; i++) {
        const struct day *d = &ds->d[i];
        double cx = DAY_LEFT + slot * ((double)d->place + 0.5);

        if (d->total > 0) {
            day_bar(f, d, by_type, cx - w / 2, w, top);
        }
        if (d->place >= next) {
            next = d->place + every;
            put(f, "<text class=\"day-label\" x=\"%f\" y=\"%f\" text-anchor"
                "=\"%s\" transform=\"rotate(%s %f %f)\">%E</text>\n", cx, ly,
                tilt ? "end" : "middle", tilt ? "-45" : "0", cx, ly,
                d->name);
        }
    }
    fputs("</svg>\n", f);
}

static int day_chart(FILE *f, const cJSON *report, uint64_t findings)
{
    struct days ds;

    if (collect_days(&ds, member_o(report, "by_day", 0)) < 0) {
        return -1;
    }
    fputs("<section id=\"by-day\">\n<h2>Findings per day</h2>\n", f);
    if (findings == 0) {
        fputs("<p class=\"none\">No findings: nothing to chart.</p>\n", f);
    } else if (ds.sum == 0) {
        fputs("<p class=\"none\" id=\"no-timestamps\">No timestamps: the "
              "records carry no time (see --time-field), so findings "
              "cannot be shown per day.</p>\n", f);
    } else {
        day_bars(f, &ds, member_o(report, "by_type", 0));
    }
    if (ds.sum > 0 && ds.sum < findings) {
        put(f, "<p id=\"undated\">Not in this chart: %n in records without "
            "a time.</p>\n", findings - ds.sum, "finding");
    }
    fputs("</section>\n", f);
    free(ds.d);
    return 0;
}

/* One horizontal bar a type, most first, with its count and share. */
static void type_bars(FILE *f, const struct kv *v, size_t n, uint64_t sum)
{
    double bw = CHART_W - TYPE_LABEL_W - 110;
    size_t i;

    put(f, "<svg class=\"chart\" viewBox=\"0 0 %f %f\" role=\"img\" "
        "aria-label=\"Findings per type\">\n", CHART_W,
        TYPE_ROW_H * (double)n + 8);
    for (i = 0; i < n; i++) {
        double y = 4 + TYPE_ROW_H * (double)i;
        double w = (double)v[i].n * bw / (double)v[0].n;

        put(f, "<text x=\"%f\" y=\"%f\" text-anchor=\"end\">%E</text>\n"
            "<rect class=\"bar\" x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" "
            "fill=\"%s\" data-type=\"%e\" data-count=\"%u\"><title>%e: %,"
            "</title></rect>\n<text x=\"%f\" y=\"%f\">%, (%%)</text>\n",
            TYPE_LABEL_W - 10, y + 17, v[i].key, TYPE_LABEL_W, y + 4, w,
            TYPE_ROW_H - 8, colour(v[i].idx), v[i].key, v[i].n, v[i].key,
            v[i].n, TYPE_LABEL_W + w + 6, y + 17, v[i].n, v[i].n, sum);
    }
    fputs("</svg>\n", f);
}

/*
 * A section on one of the report's objects of counts (s: its member,
 * the section's id, title, column heading, data attribute): the chart
 * if asked for, then the table, most first.
 */
static int count_section(FILE *f, const cJSON *report,
                         const char *const s[5], int chart)
{
    struct kv *v;
    size_t n;
    uint64_t sum = 0;
    size_t i;

    if (sorted_counts(&v, &n, member_o(report, s[0], 0)) < 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        sum += v[i].n;
    }
    put(f, "<section id=\"%s\">\n<h2>%s</h2>\n", s[1], s[2]);
    if (sum > 0 && chart) {
        type_bars(f, v, n, sum);
    }
    put(f, sum == 0 ? "<p class=\"none\">No findings.</p>\n" : "<table>\n"
        "<tr><th>%s</th><th class=\"n\">Findings</th><th class=\"n\">Share"
        "</th></tr>\n", s[3]);
    for (i = 0; sum > 0 && i < n; i++) {
        put(f, "<tr data-%s=\"%e\" data-count=\"%u\"><td class=\"w\">%s%e"
            "</td><td class=\"n\">%,</td><td class=\"n\">%%</td></tr>\n",
            s[4], v[i].key, v[i].n, v[i].key[0] != '\0' ? "" :
            "<span class=\"none\">(whole line: not JSON)</span>", v[i].key,
            v[i].n, v[i].n, sum);
    }
    fputs(sum == 0 ? "</section>\n" : "</table>\n</section>\n", f);
    free(v);
    return 0;
}

static void worst_table(FILE *f, const cJSON *worst)
{
    const cJSON *w;
    const cJSON *t;
    uint64_t i = 0;

    fputs(cJSON_GetArraySize(worst) == 0 ? "<section id=\"worst\">\n<h2>"
          "Records with the most findings</h2>\n<p class=\"none\">None.</p>"
          "\n" : "<section id=\"worst\">\n<h2>Records with the most findings"
          "</h2>\n<table>\n<tr><th class=\"n\">#</th><th>File</th><th "
          "class=\"n\">Line</th><th class=\"n\">Findings</th><th>Types</th>"
          "</tr>\n", f);
    cJSON_ArrayForEach(w, worst) {
        const cJSON *types = member_o(w, "types", 0);

        put(f, "<tr data-file=\"%e\" data-line=\"%u\" data-count=\"%u\">"
            "<td class=\"n\">%u</td><td class=\"w\">%e</td><td class=\"n\">"
            "%u</td><td class=\"n\">%,</td><td>", member_s(w, "file"),
            member_n(w, "line"), member_n(w, "findings"), ++i,
            member_s(w, "file"), member_n(w, "line"),
            member_n(w, "findings"));
        cJSON_ArrayForEach(t, types) {
            put(f, "%s%e %,", t == types->child ? "" : ", ", t->string,
                count_of(t));
        }
        fputs("</td></tr>\n", f);
    }
    fputs(i > 0 ? "</table>\n</section>\n" : "</section>\n", f);
}

/* The files, each followed by its errors (lines that were not read). */
static void files_table(FILE *f, const cJSON *files)
{
    const cJSON *it;
    const cJSON *e;

    fputs("<section id=\"files\">\n<h2>Files and errors</h2>\n<table>\n"
          "<tr><th>File</th><th class=\"n\">Records</th><th class=\"n\">"
          "Bytes</th><th class=\"n\">Not JSON</th><th class=\"n\">Findings"
          "</th><th class=\"n\">Errors</th></tr>\n", f);
    cJSON_ArrayForEach(it, files) {
        const cJSON *errors = member_o(it, "errors", 1);
        const char *name = member_s(it, "file");
        uint64_t v[5] = { member_n(it, "records"), member_n(it, "bytes"),
                          member_n(it, "not_json"), member_n(it, "findings"),
                          (uint64_t)cJSON_GetArraySize(errors) };

        put(f, "<tr data-file=\"%e\" data-records=\"%u\" data-bytes=\"%u\" "
            "data-not-json=\"%u\" data-count=\"%u\" data-errors=\"%u\"><td "
            "class=\"w\">%e</td><td class=\"n\">%,</td><td class=\"n\">%,"
            "</td><td class=\"n\">%,</td><td class=\"n\">%,</td><td class="
            "\"n\">%,</td></tr>\n", name, v[0], v[1], v[2], v[3], v[4], name,
            v[0], v[1], v[2], v[3], v[4]);
        cJSON_ArrayForEach(e, errors) {
            put(f, "<tr class=\"error\" data-file=\"%e\" data-line=\"%u\">"
                "<td class=\"w\" colspan=\"6\">%e, line %u: <span class=\""
                "msg\">%e</span></td></tr>\n", name, member_n(e, "line"),
                name, member_n(e, "line"), member_s(e, "message"));
        }
    }
    fputs("</table>\n</section>\n", f);
}

int audit_html_write(FILE *f, const cJSON *report)
{
    static const char *const sections[][5] = {
        { "by_type", "by-type", "Findings per type", "Type", "type" },
        { "by_rule", "by-rule", "Findings per rule", "Rule", "rule" },
        { "by_path", "by-path", "Findings per JSON path", "Path", "path" },
    };
    const cJSON *totals = member_o(report, "totals", 0);
    int rc;
    size_t i;

    fputs(head, f);
    put_summary(f, totals);
    rc = day_chart(f, report, member_n(totals, "findings"));
    for (i = 0; rc == 0 && i < 3; i++) {
        rc = count_section(f, report, sections[i], i == 0);
    }
    worst_table(f, member_o(report, "worst", 1));
    files_table(f, member_o(report, "files", 1));
    put(f, "<footer>blackbar audit report, format version %u; fingerprint "
        "key id %e.</footer>\n</body>\n</html>\n", member_n(report, "version"),
        member_s(report, "key_id"));
    return rc < 0 || fflush(f) != 0 || ferror(f) ? -1 : 0;
}
