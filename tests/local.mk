# tests/local.mk - included by Makefile.am: unit suites, CLI cases.
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
UNIT_LDADD = libbbcore.la $(LIBDEPS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/check_validate tests/tools/bbchunk \
	tests/tools/bbaudit tests/tools/bbupstream tests/tools/bbanswers \
	tests/tools/bbprovider tests/tools/bbhtml
tests_unit_check_validate_SOURCES = tests/unit/check_validate.c
tests_unit_check_validate_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_validate_LDADD = $(UNIT_LDADD)
tests_tools_bbchunk_SOURCES = tests/tools/bbchunk.c
tests_tools_bbchunk_LDADD = libbbcore.la $(LIBDEPS)
tests_tools_bbupstream_SOURCES = tests/tools/bbupstream.c
tests_tools_bbupstream_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS)
tests_tools_bbupstream_LDADD = $(MHD_LIBS) $(CJSON_LIBS)
tests_tools_bbprovider_SOURCES = tests/tools/bbprovider.c \
	tests/tools/bbprovider_shapes.c tests/tools/bbprovider.h
tests_tools_bbprovider_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(CJSON_CFLAGS)
tests_tools_bbprovider_LDADD = $(MHD_LIBS) $(CJSON_LIBS)
tests_tools_bbanswers_SOURCES = tests/tools/bbanswers.c
tests_tools_bbaudit_SOURCES = tests/tools/bbaudit.c
tests_tools_bbaudit_LDADD = libbbcore.la $(LIBDEPS)
tests_tools_bbhtml_SOURCES = tests/tools/bbhtml.c src/cmd_audit_html.c \
	src/cmd_audit_html.h
tests_tools_bbhtml_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_tools_bbhtml_LDADD = $(CJSON_LIBS)

TESTS += tests/unit/check_validate

# One check suite per module (STYLE section 7).
check_PROGRAMS += tests/unit/check_core tests/unit/check_rules \
	tests/unit/check_stream tests/unit/check_redact tests/unit/check_tokens \
	tests/unit/check_json tests/unit/check_restore tests/unit/check_sse \
	tests/unit/check_channels tests/unit/check_moderate
tests_unit_check_moderate_SOURCES = tests/unit/check_moderate.c
tests_unit_check_moderate_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_moderate_LDADD = $(UNIT_LDADD)
tests_unit_check_core_SOURCES = tests/unit/check_core.c
tests_unit_check_core_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_core_LDADD = $(UNIT_LDADD)
tests_unit_check_rules_SOURCES = tests/unit/check_rules.c
tests_unit_check_rules_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_rules_LDADD = $(UNIT_LDADD)
tests_unit_check_stream_SOURCES = tests/unit/check_stream.c
tests_unit_check_stream_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_stream_LDADD = $(UNIT_LDADD)
tests_unit_check_redact_SOURCES = tests/unit/check_redact.c
tests_unit_check_redact_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_redact_LDADD = $(UNIT_LDADD)
tests_unit_check_tokens_SOURCES = tests/unit/check_tokens.c
tests_unit_check_tokens_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_tokens_LDADD = $(UNIT_LDADD)
tests_unit_check_json_SOURCES = tests/unit/check_json.c tests/unit/outbuf.h
tests_unit_check_json_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_json_LDADD = $(UNIT_LDADD)
tests_unit_check_restore_SOURCES = tests/unit/check_restore.c \
	tests/unit/outbuf.h
tests_unit_check_restore_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_restore_LDADD = $(UNIT_LDADD)
tests_unit_check_sse_SOURCES = tests/unit/check_sse.c tests/unit/outbuf.h
tests_unit_check_sse_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_sse_LDADD = $(UNIT_LDADD)
tests_unit_check_channels_SOURCES = tests/unit/check_channels.c \
	tests/unit/outbuf.h
tests_unit_check_channels_CFLAGS = $(UNIT_CFLAGS) $(CJSON_CFLAGS)
tests_unit_check_channels_LDADD = $(UNIT_LDADD)

TESTS += tests/unit/check_core tests/unit/check_rules \
	tests/unit/check_stream tests/unit/check_redact tests/unit/check_tokens \
	tests/unit/check_json tests/unit/check_restore tests/unit/check_sse \
	tests/unit/check_channels tests/unit/check_moderate

# Scripts: run with TESTS_ENVIRONMENT (BLACKBAR, BBCHUNK, srcdir,
# builddir); each exits 0 (pass) or 1 (fail). Generated inputs and
# outputs go to $(builddir)/tests/out, which is never committed.
BB_TEST_PROGS = tests/run-cases.sh tests/chunking.sh tests/checksrc.sh \
	tests/badinput.sh tests/roundtrip.sh tests/audit.sh tests/sdk.sh \
	tests/remote.sh tests/benign.sh tests/send.sh tests/proxy.sh \
	tests/proxy-sdk.sh tests/scan.sh tests/scan-git.sh tests/audit-html.sh \
	tests/audit-cmd.sh
TESTS += $(BB_TEST_PROGS)
EXTRA_DIST += $(BB_TEST_PROGS) tests/cases tests/fixtures tests/expected \
	tests/sdk/package.json tests/sdk/package-lock.json \
	tests/sdk/stream-error.mjs tests/sdk/proxy.mjs tests/upstream.sh \
	tests/valgrind.sh tests/scan-lib.sh tests/sarif/package.json \
	tests/sarif/package-lock.json tests/audit-lib.sh

# CLEANFILES cannot remove a directory (rm -f): do it here.
clean-local: clean-local-tests
.PHONY: clean-local-tests
clean-local-tests:
	-rm -rf tests/out
