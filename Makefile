# A thin front to meson. On a fresh Debian 12 machine `make run` and `make test` install what is
# missing first (build-aux/install-deps), so they are the only two commands a newcomer needs.

BUILDDIR ?= _build
SANITIZE_BUILDDIR ?= _build-sanitize
MESON_SETUP_ARGS ?=
MESON_TEST_ARGS ?=

.PHONY: all deps deps-run build test run bench sanitize clean

all: build

deps:
	@build-aux/install-deps --check >/dev/null 2>&1 || build-aux/install-deps

# Running needs no test tools and none of the tests' npm packages.
deps-run:
	@build-aux/install-deps --run --check >/dev/null 2>&1 || build-aux/install-deps --run

$(BUILDDIR)/build.ninja:
	meson setup $(MESON_SETUP_ARGS) $(BUILDDIR)

build: deps $(BUILDDIR)/build.ninja
	meson compile -C $(BUILDDIR)

# Every test runs under Xvfb with a private session bus and a throwaway keyring.
test: build
	build-aux/test-session meson test -C $(BUILDDIR) --print-errorlogs $(MESON_TEST_ARGS)

# The app against a local PocketBase and chat server with demo data. Builds only what that needs
# (the run-local alias in meson.build): no test, benchmark or probe.
run: deps-run $(BUILDDIR)/build.ninja
	meson compile -C $(BUILDDIR) run-local
	build-aux/run-local $(BUILDDIR)

# Benchmarks print figures with their targets; they assert nothing.
bench: build
	build-aux/test-session meson test -C $(BUILDDIR) --benchmark --verbose --timeout-multiplier 4

# The same tests in a build with AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer
# (tests/lsan.supp names the only library allocations let go). Stacks are unwound in full so the
# suppressions match library frames, which makes this run several times slower than `make test`.
sanitize: deps
	@test -f $(SANITIZE_BUILDDIR)/build.ninja || meson setup $(MESON_SETUP_ARGS) -Db_sanitize=address,undefined -Db_lundef=false $(SANITIZE_BUILDDIR)
	meson compile -C $(SANITIZE_BUILDDIR)
	build-aux/test-session meson test -C $(SANITIZE_BUILDDIR) --print-errorlogs --timeout-multiplier 5 $(MESON_TEST_ARGS)

clean:
	rm -rf $(BUILDDIR) $(SANITIZE_BUILDDIR)
