# yibao — the two commands: `make run` and `make test`.
# Everything real is in meson.build; this file only strings steps together.

BUILD      ?= build
BUILD_SAN  ?= build-san
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = json idnum date ecert csv fhir nhsa
DB         ?= var/yibao.db
LISTEN     ?= 127.0.0.1:8080

.PHONY: all setup build run test fuzz clean

all: build

setup:
	@scripts/setup

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: setup $(BUILD)/build.ninja
	meson compile -C $(BUILD)

$(BUILD_SAN)/build.ninja:
	meson setup $(BUILD_SAN) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

run: build
	@scripts/run-demo "$(BUILD)/src/cli/yibao" "$(DB)" "$(LISTEN)"

# Every suite; stops non-zero on the first failing suite.
# 1. every suite (unit, store, service, cli, api, browser) on both engines,
#    around one throwaway PostgreSQL server;
# 2. the C suites again under AddressSanitizer + UndefinedBehaviorSanitizer;
#    (the fuzz corpora too: each input of tests/fuzz/corpus once);
# 3. the unit suite under valgrind (no leaks, no invalid accesses).
test: build $(BUILD_SAN)/build.ninja
	scripts/with-pg meson test -C $(BUILD) --print-errorlogs
	meson compile -C $(BUILD_SAN)
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
	  scripts/with-pg meson test -C $(BUILD_SAN) --print-errorlogs \
	    --suite unit --suite store --suite service --suite fuzz
	meson test -C $(BUILD) --print-errorlogs --suite unit --setup valgrind
	@scripts/test-summary $(BUILD) $(BUILD_SAN)

# harden (#14): each libFuzzer target of tests/fuzz for FUZZ_SECONDS
# (clang, ASan+UBSan); new inputs and crashes go to var/fuzz/.
$(BUILD_FUZZ)/build.ninja:
	CC=clang meson setup $(BUILD_FUZZ) --buildtype=debugoptimized \
	  -Dfuzz=true -Dtests=disabled -Dwerror=false \
	  -Db_sanitize=address,undefined -Db_lundef=false \
	  -Dc_args=-fsanitize=fuzzer-no-link

fuzz: setup $(BUILD_FUZZ)/build.ninja
	meson compile -C $(BUILD_FUZZ) $(addprefix fuzz_,$(FUZZ_TARGETS))
	scripts/fuzz $(BUILD_FUZZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)
