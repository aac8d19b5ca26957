# engage — plain Makefile.
#   make            build build/engage (installs missing Debian packages first)
#   make demo       run the pipeline on the bundled sample quarter into demo-out/
#   make demo-html  the same, and demo-out/report.html rendered at 1280 and 400 px to PNGs (chromium)
#   make test       unit + end-to-end tests, then again under ASan + UBSan
#   make bench      1M and 10M-respondent quarters of four shapes against gzip -dc, with peak RSS (exit 1 on a hang)
#   make fuzz       libFuzzer targets (clang), FUZZ_SECONDS each (default 600)
#   make deps       install the Debian packages the build needs
#   make install    build/engage and its man pages under $(DESTDIR)$(PREFIX) (default /usr/local)
#   make uninstall  remove exactly the files make install put there

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
# Expanded when a recipe runs, i.e. after the packages are installed.
PKG_CFLAGS = $(shell pkg-config --cflags glib-2.0)
LIBS     = -lgsl -lgslcblas -lcsv -larchive -lisal -lz -linih -ljansson -lcrypto -lglib-2.0 -lm -pthread
TESTLIBS = -lcmocka -lmd    # libmd: an independent SHA-256 to check ours

.DEFAULT_GOAL := all

VERSION := $(shell cat VERSION)
DEPS_PACKAGES = gcc make libgsl-dev libcsv-dev zlib1g-dev libcmocka-dev libinih-dev \
                libjansson-dev libmd-dev libssl-dev libglib2.0-dev libarchive-dev libisal-dev \
                libxml2-utils pkg-config groff-base
# What the tests that look at the outputs as a person would use: a browser
# to render report.html, a spreadsheet to open engage.xlsx.  Installed when
# possible (as root); without them those checks skip with a note.
VIEW_PACKAGES = chromium libreoffice-calc-nogui

LIB_SRC  = $(wildcard core/*.c ingest/*.c analysis/*.c report/*.c)
MAIN_SRC = engage.c
TEST_SRC = $(wildcard tests/*/test_*.c)
GEN_SRC  = datasets/gen.c

# Two build flavours: plain (build/) and sanitized (build/asan/).
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

define flavour
$(1)/%.o: %.c $(wildcard */*.h) VERSION | $(1)/.deps-ok
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) $$(WARN) $$(PKG_CFLAGS) -DENGAGE_VERSION='"$$(VERSION)"' -c $$< -o $$@
$(1)/libengage.a: $$(LIB_SRC:%.c=$(1)/%.o)
	rm -f $$@; ar rcs $$@ $$^
$(1)/engage: $(1)/engage.o $(1)/libengage.a
	$$(CC) $(2) -o $$@ $$^ $$(LIBS)
$(1)/engage-gen: $(1)/datasets/gen.o
	$$(CC) $(2) -o $$@ $$^ -lgsl -lgslcblas -lz -lm
$(1)/tests/%: $(1)/tests/%.o $(1)/libengage.a
	$$(CC) $(2) -o $$@ $$^ $$(TESTLIBS) $$(LIBS)
$(1)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(1)/libengage.a
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) $$(WARN) $$(PKG_CFLAGS) -o $$@ $$^ $$(LIBS)
$(1)/.deps-ok:
	@mkdir -p $(1)
	@sh tests/deps.sh $$(DEPS_PACKAGES)
	@touch $$@
endef

$(eval $(call flavour,build,$(CFLAGS)))

# The attacker's solver of tests/e2e_algebra.sh: reads published CSVs (tests/privacy/table.c), shares no code with engage.
build/attack: tests/privacy/attack.c tests/privacy/table.c tests/privacy/table.h | build/.deps-ok
	$(CC) $(CFLAGS) $(WARN) -o $@ tests/privacy/attack.c tests/privacy/table.c -lcsv -lgsl -lgslcblas -lm
# The insider's attack on the tree's figures of tests/e2e_tree_attack.sh: exact algebra, no engage code.
build/tree_attack: tests/privacy/tree_attack.c tests/privacy/table.c tests/privacy/table.h | build/.deps-ok
	$(CC) $(CFLAGS) $(WARN) -o $@ tests/privacy/tree_attack.c tests/privacy/table.c -lcsv -lm
# The attack of tests/e2e_waves.sh on a history of waves: exact algebra over every wave, no engage code.
build/trend_attack: tests/privacy/trend_attack.c tests/privacy/table.c tests/privacy/table.h | build/.deps-ok
	$(CC) $(CFLAGS) $(WARN) -o $@ tests/privacy/trend_attack.c tests/privacy/table.c -lcsv -lm
$(eval $(call flavour,build/asan,$(SAN_FLAGS)))

TEST_BINS      = $(TEST_SRC:%.c=build/%)
ASAN_TEST_BINS = $(TEST_SRC:%.c=build/asan/%)

FUZZ_TARGETS   = ingest formats config manifest
FUZZ_SECONDS  ?= 600
FUZZ_FLAGS     = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

# make install PREFIX=/usr/local DESTDIR=: the program and its two man pages.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR  = $(PREFIX)/bin
MANDIR  = $(PREFIX)/share/man
INSTALLED = $(DESTDIR)$(BINDIR)/engage $(DESTDIR)$(MANDIR)/man1/engage.1 $(DESTDIR)$(MANDIR)/man5/engage.ini.5

.PHONY: all deps view-deps demo demo-html install uninstall test test-unit test-asan test-e2e test-replay bench fuzz clean
.SECONDARY:

all: build/engage build/engage-gen

deps:
	@sh tests/deps.sh $(DEPS_PACKAGES)

install: build/engage doc/engage.1 doc/engage.ini.5
	install -D -m 755 build/engage $(DESTDIR)$(BINDIR)/engage
	install -D -m 644 doc/engage.1 $(DESTDIR)$(MANDIR)/man1/engage.1
	install -D -m 644 doc/engage.ini.5 $(DESTDIR)$(MANDIR)/man5/engage.ini.5

uninstall:
	rm -f $(INSTALLED)

demo: build/engage
	build/engage run -c datasets/sample-quarter.ini -o demo-out datasets/sample-quarter.csv.gz
	@echo; cat demo-out/report.txt

demo-html: build/engage build/engage-gen
	build/engage run -c datasets/sample-quarter.ini -o demo-out datasets/sample-quarter.csv.gz
	@mkdir -p build/demo-tree
	build/engage-gen --hierarchy --respondents 3000 --depth 4 --seed 7 --roster build/demo-tree/roster.csv \
	    --config build/demo-tree/quarter.ini -o build/demo-tree/quarter.csv.gz
	build/engage run -q --packs -c build/demo-tree/quarter.ini -o demo-tree-out build/demo-tree/quarter.csv.gz
	@if command -v chromium > /dev/null 2>&1; then \
	    for w in 1280 400; do \
	        sh tests/html/render.sh demo-out/report.html $$w demo-out/report-$$w.png || exit 1; \
	        for p in $$(ls demo-tree-out/packs | grep -v '^index' | grep '\.html$$' | head -n 3); do \
	            sh tests/html/render.sh demo-tree-out/packs/$$p $$w demo-tree-out/$${p%.html}-$$w.png || exit 1; \
	        done; \
	    done; \
	    echo "demo-out/report-{1280,400}.png and three packs as demo-tree-out/*-{1280,400}.png: as headless Chromium draws them"; \
	else \
	    echo "demo-out/report.html and demo-tree-out/packs written; to render them to PNGs install Chromium: apt-get install chromium"; \
	fi

test: view-deps test-unit test-e2e test-asan test-replay
	@echo "all tests passed"

view-deps:
	@sh tests/deps.sh $(VIEW_PACKAGES) || echo "note: $(VIEW_PACKAGES) not installed: the rendering and spreadsheet checks skip"

# The fuzz corpus (seeds and every past finding) replayed under the sanitizers.
test-replay: $(FUZZ_TARGETS:%=build/asan/fuzz/replay_%)
	@for t in $(FUZZ_TARGETS); do ASAN_OPTIONS=detect_leaks=1 build/asan/fuzz/replay_$$t tests/fuzz/corpus/$$t || exit 1; done

test-unit: $(TEST_BINS)
	@sh tests/run_unit.sh $(TEST_BINS)

test-e2e: build/engage build/engage-gen build/attack build/tree_attack build/trend_attack build/tests/core/config_keys
	@sh tests/e2e_doc.sh build/engage build/tests/core/config_keys
	@sh tests/e2e.sh build/engage build/engage-gen
	@sh tests/e2e_formats.sh build/engage build/engage-gen
	@sh tests/e2e_privacy.sh build/engage build/engage-gen
	@sh tests/e2e_permute.sh build/engage build/engage-gen
	@sh tests/e2e_algebra.sh build/engage build/engage-gen build/attack
	@sh tests/e2e_html.sh build/engage build/engage-gen
	@sh tests/e2e_workbook.sh build/engage
	@sh tests/e2e_archive.sh build/engage build/engage-gen
	@sh tests/e2e_outdir.sh build/engage build/engage-gen
	@sh tests/e2e_random.sh build/engage build/engage-gen
	@sh tests/e2e_bounds.sh build/engage
	@sh tests/e2e_init.sh build/engage build/engage-gen
	@sh tests/e2e_gen.sh build/engage build/engage-gen
	@sh tests/e2e_leaders.sh build/engage build/engage-gen
	@sh tests/e2e_tree_attack.sh build/engage build/engage-gen build/tree_attack
	@sh tests/e2e_heatmap.sh build/engage build/engage-gen
	@sh tests/e2e_packs.sh build/engage build/engage-gen
	@sh tests/e2e_enps.sh build/engage build/engage-gen
	@sh tests/e2e_waves.sh build/engage build/trend_attack
	@sh tests/e2e_drivers.sh build/engage

test-asan: $(ASAN_TEST_BINS) build/asan/engage build/asan/engage-gen build/attack build/tree_attack build/trend_attack
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/run_unit.sh $(ASAN_TEST_BINS)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e.sh build/asan/engage build/asan/engage-gen
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_formats.sh build/asan/engage build/asan/engage-gen
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_privacy.sh build/asan/engage build/asan/engage-gen
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_gen.sh build/asan/engage build/asan/engage-gen
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_permute.sh build/asan/engage build/asan/engage-gen
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_algebra.sh build/asan/engage build/asan/engage-gen build/attack
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_html.sh build/asan/engage build/asan/engage-gen
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_workbook.sh build/asan/engage
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_archive.sh build/asan/engage build/asan/engage-gen
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_outdir.sh build/asan/engage build/asan/engage-gen
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_random.sh build/asan/engage build/asan/engage-gen light
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_bounds.sh build/asan/engage
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_init.sh build/asan/engage build/asan/engage-gen
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_tree_attack.sh build/asan/engage build/asan/engage-gen build/tree_attack
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_leaders.sh build/asan/engage build/asan/engage-gen
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_heatmap.sh build/asan/engage build/asan/engage-gen
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_packs.sh build/asan/engage build/asan/engage-gen
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_enps.sh build/asan/engage build/asan/engage-gen
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_waves.sh build/asan/engage build/trend_attack
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/e2e_drivers.sh build/asan/engage

bench: build/engage build/engage-gen
	bash datasets/bench.sh build/engage build/engage-gen

# New inputs go to build/fuzz/corpus-*; copy findings into tests/fuzz/corpus/*.
fuzz: build/.deps-ok
	@mkdir -p build/fuzz
	@for t in $(FUZZ_TARGETS); do \
	    clang $(FUZZ_FLAGS) -std=c11 -D_GNU_SOURCE -pthread $(PKG_CFLAGS) -o build/fuzz/fuzz_$$t \
	        tests/fuzz/fuzz_$$t.c $(LIB_SRC) $(LIBS) || exit 1; \
	    mkdir -p build/fuzz/corpus-$$t; \
	    build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	        -artifact_prefix=build/fuzz/$$t- build/fuzz/corpus-$$t tests/fuzz/corpus/$$t || exit 1; \
	done

clean:
	rm -rf build demo-out
