# kafkasim — a deterministic simulator of Apache Kafka semantics.
#
#   make            build build/kafkasim
#   make test       unit tests (cmocka) and scenario tests
#   make run        the teaching scenario, with its report
#   make asan       the whole test suite under ASan + UBSan
#   make coverage   lcov HTML under build/coverage/, prints line and function figures
#   make tidy       checks that model/ never reads a clock, draws rand(), prints or opens files
#   make bench      kernel and simulator benchmarks (not timed tests)
#   make fuzz       libFuzzer on the scenario loader (FUZZ_SECONDS=600)
#   make install    PREFIX=/usr/local
#   V=1             show the full commands

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BUILD     ?= build
CC        ?= cc
PKGS      := libfyaml cmocka

# Missing dependencies are installed (as root) or named, before anything else runs.
DEPS_OK := $(shell sh .ci/deps.sh >&2 && echo ok)
ifneq ($(DEPS_OK),ok)
$(error missing dependencies: see the message above)
endif

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wpointer-arith -Wcast-qual -Wwrite-strings -Wvla -Wformat=2 \
             -Wundef -Wconversion -Wno-sign-conversion -Wimplicit-fallthrough
OPT       ?= -O2 -g
CFLAGS    += -std=c11 -D_POSIX_C_SOURCE=200809L $(OPT) $(WARN) \
             -DKAFKASIM_VERSION='"$(VERSION)"' -I. $(shell pkg-config --cflags libfyaml)
LDLIBS    += $(shell pkg-config --libs libfyaml) -lm
TEST_LIBS := $(shell pkg-config --libs cmocka)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC   := $(sort $(wildcard sim/*.c model/*.c reports/*.c))
LIB_SRC   := $(filter-out sim/main.c,$(LIB_SRC))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(BUILD)/sim/main.o
TEST_SRC  := $(sort $(wildcard tests/test_*.c))
TEST_BIN  := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(sort $(wildcard tests/bench_*.c))
BENCH_BIN := $(BENCH_SRC:tests/%.c=$(BUILD)/tests/%)
LIB       := $(BUILD)/libkafkasim.a
BIN       := $(BUILD)/kafkasim

.SECONDARY:
.PHONY: all test unit scenario-tests run asan coverage tidy bench fuzz install clean
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(TEST_LIBS)

# Unit tests (one cmocka binary per module), then every scenario through the real binary.
test: unit scenario-tests

unit: $(TEST_BIN)
	$(Q)sh tests/run_unit.sh $(TEST_BIN)

scenario-tests: $(BIN)
	$(Q)sh tests/scenario_tests.sh $(BIN)
	$(Q)sh tests/cli_tests.sh $(BIN)

# The teaching scenario and its report. Exit status 1 means an expectation failed (the
# summary says which); that is a result, not a build failure.
run: $(BIN)
	$(Q)./$(BIN) run scenarios/acks1-leader-failover.yaml --out build/run; \
	  rc=$$?; echo "(trace and JSON summary in build/run/; exit status $$rc)"; [ $$rc -le 1 ]

asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan CC=clang \
	  OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" test

coverage:
	$(Q)$(MAKE) --no-print-directory BUILD=build/cov OPT="-O0 -g --coverage" LDFLAGS="--coverage" test
	$(Q)lcov --quiet --capture --directory build/cov --output-file build/cov/all.info
	$(Q)lcov --quiet --extract build/cov/all.info '*/sim/*' '*/model/*' '*/reports/*' \
	  --output-file build/cov/project.info
	$(Q)genhtml --quiet build/cov/project.info --output-directory $(BUILD)/coverage
	$(Q)lcov --summary build/cov/project.info 2>&1 | grep -E 'lines|functions'

# model/ is a pure state machine: no clock, no libc randomness, no stdio, no files.
tidy:
	$(Q)sh tests/tidy.sh

bench: $(BENCH_BIN) $(BIN)
	$(Q)for b in $(BENCH_BIN); do ./$$b || exit 1; done

FUZZ_SECONDS ?= 600
fuzz:
	$(Q)sh tests/fuzz.sh $(FUZZ_SECONDS)

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/kafkasim

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_BIN:%=%.d) $(BENCH_BIN:%=%.d)
