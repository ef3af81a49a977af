# docs/local.mk - included by Makefile.am: man pages from markdown.
#
# The pages are written in docs/*.md and converted by docs/md2man (POSIX
# sh and awk) at build time. They are generated, so they are neither
# committed nor distributed: the tarball carries the .md sources.

MAN_MD = \
	docs/blackbar.1.md \
	docs/blackbar-scrub.1.md \
	docs/blackbar-restore.1.md \
	docs/blackbar-log.1.md \
	docs/blackbar-moderate.1.md \
	docs/blackbar-send.1.md \
	docs/blackbar-proxy.1.md \
	docs/blackbar-scan.1.md \
	docs/blackbar-audit.1.md \
	docs/blackbar-rules.1.md \
	docs/blackbar-rules.5.md

nodist_man_MANS = \
	docs/blackbar.1 \
	docs/blackbar-scrub.1 \
	docs/blackbar-restore.1 \
	docs/blackbar-log.1 \
	docs/blackbar-moderate.1 \
	docs/blackbar-send.1 \
	docs/blackbar-proxy.1 \
	docs/blackbar-scan.1 \
	docs/blackbar-audit.1 \
	docs/blackbar-rules.1 \
	docs/blackbar-rules.5

CLEANFILES += $(nodist_man_MANS)
EXTRA_DIST += $(MAN_MD) docs/md2man docs/check-options.sh docs/AUDIT-FORMAT.md \
	docs/blackbar-proxy.service docs/examples/github-actions-scan.yml

# Each command's page documents exactly the options its --help lists.
TESTS += docs/check-options.sh

# docs/X is made from $(srcdir)/docs/X.md. One rule per page, because
# '%' pattern rules are a GNU make extension.
md2man_run = $(AM_V_GEN)$(MKDIR_P) docs && \
	AWK='$(AWK)' $(SHELL) $(srcdir)/docs/md2man $(srcdir)/$@.md >$@-t && \
	mv -f $@-t $@ || { rm -f $@-t; exit 1; }

docs/blackbar.1: $(srcdir)/docs/blackbar.1.md $(srcdir)/docs/md2man
	$(md2man_run)
docs/blackbar-scrub.1: $(srcdir)/docs/blackbar-scrub.1.md \
		$(srcdir)/docs/md2man
	$(md2man_run)
docs/blackbar-restore.1: $(srcdir)/docs/blackbar-restore.1.md \
		$(srcdir)/docs/md2man
	$(md2man_run)
docs/blackbar-log.1: $(srcdir)/docs/blackbar-log.1.md \
		$(srcdir)/docs/md2man
	$(md2man_run)
docs/blackbar-moderate.1: $(srcdir)/docs/blackbar-moderate.1.md \
		$(srcdir)/docs/md2man
	$(md2man_run)
docs/blackbar-send.1: $(srcdir)/docs/blackbar-send.1.md \
		$(srcdir)/docs/md2man
	$(md2man_run)
docs/blackbar-proxy.1: $(srcdir)/docs/blackbar-proxy.1.md \
		$(srcdir)/docs/md2man
	$(md2man_run)
docs/blackbar-scan.1: $(srcdir)/docs/blackbar-scan.1.md \
		$(srcdir)/docs/md2man
	$(md2man_run)
docs/blackbar-audit.1: $(srcdir)/docs/blackbar-audit.1.md \
		$(srcdir)/docs/md2man
	$(md2man_run)
docs/blackbar-rules.1: $(srcdir)/docs/blackbar-rules.1.md \
		$(srcdir)/docs/md2man
	$(md2man_run)
docs/blackbar-rules.5: $(srcdir)/docs/blackbar-rules.5.md \
		$(srcdir)/docs/md2man
	$(md2man_run)
