# wasmix: GNU Makefile, out-of-tree build into build/.
#
#   make            library, CLI, spec runner, examples
#   make test       unit tests + the WebAssembly spec suite (+ the wasix-libc
#                   corpus when WASIX_SYSROOT names a sysroot, tests/wasixlibc/)
#   make spec       the spec suite only
#   make aot-test   the compiled tier's tests (tests/run_aot.sh; in 'test')
#   make asan       everything above under AddressSanitizer + UBSan
#   make bench      compute kernels: wasmix vs native gcc -O2 vs node
#
# Knobs: WERROR=1 (CI), DISPATCH=switch (interpreter fallback), O=build dir.

O        ?= build
CC       ?= cc
WERROR   ?= 0
DISPATCH ?= goto
SPEC_DIR ?= ../shared/testdata/wasm-spec

WASM_CC     ?= clang
WASM_CFLAGS ?= --target=wasm32-wasi -O2 -Wall -Wextra -Werror
WAST2JSON   ?= wast2json

OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
CWARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter
ifeq ($(WERROR),1)
CWARN    += -Werror
endif
CPPFLAGS := -Isrc -Iinclude -D_GNU_SOURCE
ifeq ($(DISPATCH),switch)
CPPFLAGS += -DWX_DISPATCH_SWITCH=1
endif
ALL_CFLAGS = -std=c11 $(CWARN) $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS   := -lm -lpthread -ldl

LIB_SRC  := $(wildcard src/base/*.c src/wasm/*.c src/wat/*.c src/vm/*.c src/aot/*.c src/dl/*.c src/vfs/*.c src/wasi/*.c src/proc/*.c src/wasix/*.c src/capi/*.c src/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/obj/%.o)
CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(CLI_SRC:%.c=$(O)/obj/%.o)
SPEC_SRC := $(wildcard tests/spec/*.c)
SPEC_OBJ := $(SPEC_SRC:%.c=$(O)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/t_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/unit/%)
# examples/embed*.c are host programs (embedding wasmix); the rest are guests.
EXAMPLES := $(patsubst examples/%.c,$(O)/examples/%.wasm,\
              $(filter-out examples/embed%.c,$(wildcard examples/*.c)))

all: $(O)/libwasmix.a $(O)/wasmix $(O)/wasmix-helper $(O)/wasmix-spec $(EXAMPLES)

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# The compiled tier's ABI header, as a C string for aot_emit.c (it is
# written at the top of every generated C file).
$(O)/gen/aot_abi.inc: src/aot/aot_abi.h
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@

$(O)/obj/src/aot/aot_emit.o $(O)/pic/src/aot/aot_emit.o: $(O)/gen/aot_abi.inc
$(O)/obj/src/aot/aot_emit.o $(O)/pic/src/aot/aot_emit.o: CPPFLAGS += -I$(O)/gen

$(O)/libwasmix.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(O)/wasmix: $(CLI_OBJ) $(O)/libwasmix.a
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS)

# The process isolated runs spawn (src/wasmix_spawn.c, docs/embedding.md).
$(O)/wasmix-helper: $(O)/obj/src/helper/wasmix_helper.o $(O)/libwasmix.a
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS)

$(O)/wasmix-spec: $(SPEC_OBJ) $(O)/libwasmix.a
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS)

$(O)/unit/%: tests/unit/%.c $(O)/libwasmix.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $< $(O)/libwasmix.a -o $@ $(LDLIBS)

$(O)/examples/%.wasm: examples/%.c
	@mkdir -p $(dir $@)
	$(WASM_CC) $(WASM_CFLAGS) $< -o $@

# --- the standard C API (wasm.h) --------------------------------------------
# t_capi includes only include/wasm.h (no -Isrc) and links libwasmix, as an
# embedder would; its modules are tests/capi/*.wat, converted by wasmix.
CAPI_WASM := $(patsubst tests/capi/%.wat,$(O)/capi/%.wasm,$(wildcard tests/capi/*.wat))

$(O)/capi/%.wasm: tests/capi/%.wat $(O)/wasmix
	@mkdir -p $(dir $@)
	$(O)/wasmix wat2wasm $< -o $@

$(O)/capi/t_capi: tests/capi/t_capi.c include/wasm.h $(O)/libwasmix.a
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(ALL_CFLAGS) $< $(O)/libwasmix.a -o $@ $(LDLIBS)

# t_isolate: an embedder of wasmix.h that isolated WASIX guests never fork.
$(O)/capi/t_isolate: tests/capi/t_isolate.c include/wasmix.h $(O)/libwasmix.a
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(ALL_CFLAGS) $< $(O)/libwasmix.a -o $@ $(LDLIBS)

# t_capiwasi: an embedder of wasm.h with wasmix.h's WASI bridge.
$(O)/capi/t_capiwasi: tests/capi/t_capiwasi.c include/wasm.h include/wasmix.h $(O)/libwasmix.a
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(ALL_CFLAGS) $< $(O)/libwasmix.a -o $@ $(LDLIBS)

# t_wasix: a WASIX module on the wasm.h path (sockets, policy, refusals).
$(O)/capi/t_wasix: tests/capi/t_wasix.c include/wasm.h include/wasmix.h $(O)/libwasmix.a
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(ALL_CFLAGS) $< $(O)/libwasmix.a -o $@ $(LDLIBS)

# t_storelimits: wasmix_store_new's limits (pages, depth, fuel, timeout).
$(O)/capi/t_storelimits: tests/capi/t_storelimits.c include/wasm.h include/wasmix.h $(O)/libwasmix.a
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(ALL_CFLAGS) $< $(O)/libwasmix.a -o $@ $(LDLIBS)

# t_runout: wasmix_run_* output in caller buffers.
$(O)/capi/t_runout: tests/capi/t_runout.c include/wasmix.h $(O)/libwasmix.a
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(ALL_CFLAGS) $< $(O)/libwasmix.a -o $@ $(LDLIBS)

# t_isothread: a multithreaded embedder; runs spawn wasmix-helper.
$(O)/capi/t_isothread: tests/capi/t_isothread.c include/wasmix.h $(O)/libwasmix.a
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(ALL_CFLAGS) $< $(O)/libwasmix.a -o $@ $(LDLIBS)

# t_reflect: wasmix.h's module reflection beside wasm.h's views.
$(O)/capi/t_reflect: tests/capi/t_reflect.c include/wasm.h include/wasmix.h $(O)/libwasmix.a
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(ALL_CFLAGS) $< $(O)/libwasmix.a -o $@ $(LDLIBS)

# t_capiaot: the compiled tier through wasm.h (its own temporary cache).
$(O)/capi/t_capiaot: tests/capi/t_capiaot.c include/wasm.h include/wasmix.h $(O)/libwasmix.a
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(ALL_CFLAGS) $< $(O)/libwasmix.a -o $@ $(LDLIBS)

# t_isolate runs with the spawned helper and again with the fork helper.
# t_capi runs again with its engine compiling (WASMIX_AOT=1), in a
# temporary cache directory that is removed afterwards.
capi: $(O)/capi/t_capi $(O)/capi/t_capiaot $(O)/capi/t_reflect $(O)/capi/t_isolate $(O)/capi/t_capiwasi $(O)/capi/t_wasix $(O)/capi/t_storelimits $(O)/capi/t_runout $(O)/capi/t_isothread $(O)/wasmix-helper $(CAPI_WASM)
	$(O)/capi/t_capi $(O)/capi
	T=$$(mktemp -d) && XDG_CACHE_HOME=$$T WASMIX_AOT=1 $(O)/capi/t_capi $(O)/capi; \
	  rc=$$?; rm -rf "$$T"; exit $$rc
	$(O)/capi/t_capiaot $(O)/capi
	$(O)/capi/t_capiwasi $(O)/capi
	$(O)/capi/t_wasix $(O)/capi
	$(O)/capi/t_storelimits
	$(O)/capi/t_reflect
	WASMIX_HELPER=$(O)/wasmix-helper $(O)/capi/t_isolate $(O)/capi
	WASMIX_HELPER=fork $(O)/capi/t_isolate $(O)/capi
	WASMIX_HELPER=$(O)/wasmix-helper $(O)/capi/t_runout $(O)/capi
	$(O)/capi/t_isothread $(O)/capi $(O)/wasmix-helper

# --- install (docs/embedding.md) ---------------------------------------------
# 'make install PREFIX=/usr DESTDIR=/tmp/stage' and 'make uninstall' with the
# same variables. libwasmix.so is built from position-independent objects
# in $(O)/pic/ with hidden symbols: only the functions of wasm.h and
# wasmix.h are exported (tools/libwasmix.map), under SONAME libwasmix.so.N
# where N is the major version of WASMIX_VERSION.
VERSION      := $(shell sed -n 's/^\#define WASMIX_VERSION "\(.*\)"/\1/p' include/wasmix.h)
SOMAJOR      := $(firstword $(subst ., ,$(VERSION)))
SHLIB        := libwasmix.so.$(VERSION)
SONAME       := libwasmix.so.$(SOMAJOR)
PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
MANDIR       ?= $(PREFIX)/share/man
LIBEXECDIR   ?= $(PREFIX)/libexec
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
PIC_OBJ      := $(LIB_SRC:%.c=$(O)/pic/%.o)

# Where the library looks for its helper (WASMIX_HELPER overrides it).
$(O)/obj/src/wasmix_spawn.o $(O)/pic/src/wasmix_spawn.o: \
  CPPFLAGS += -DWASMIX_HELPER_PATH='"$(LIBEXECDIR)/wasmix/wasmix-helper"'

$(O)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c $< -o $@

$(O)/$(SHLIB): $(PIC_OBJ) tools/libwasmix.map
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,$(SONAME) \
	  -Wl,--version-script=tools/libwasmix.map -Wl,--no-undefined \
	  $(PIC_OBJ) -o $@ $(LDLIBS)

shared: $(O)/$(SHLIB)

install: $(O)/wasmix $(O)/wasmix-helper $(O)/libwasmix.a $(O)/$(SHLIB)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
	  $(DESTDIR)$(LIBEXECDIR)/wasmix \
	  $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 755 $(O)/wasmix $(DESTDIR)$(BINDIR)/wasmix
	install -m 755 $(O)/wasmix-helper \
	  $(DESTDIR)$(LIBEXECDIR)/wasmix/wasmix-helper
	install -m 644 $(O)/libwasmix.a $(DESTDIR)$(LIBDIR)/libwasmix.a
	install -m 755 $(O)/$(SHLIB) $(DESTDIR)$(LIBDIR)/$(SHLIB)
	ln -sf $(SHLIB) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libwasmix.so
	install -m 644 include/wasm.h include/wasmix.h $(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	  -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	  tools/wasmix.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/wasmix.pc
	install -m 644 docs/man/wasmix.1 $(DESTDIR)$(MANDIR)/man1/wasmix.1
	install -m 644 docs/man/wasmix.3 $(DESTDIR)$(MANDIR)/man3/wasmix.3

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/wasmix $(DESTDIR)$(LIBDIR)/libwasmix.a \
	  $(DESTDIR)$(LIBDIR)/$(SHLIB) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	  $(DESTDIR)$(LIBDIR)/libwasmix.so \
	  $(DESTDIR)$(INCLUDEDIR)/wasm.h $(DESTDIR)$(INCLUDEDIR)/wasmix.h \
	  $(DESTDIR)$(PKGCONFIGDIR)/wasmix.pc \
	  $(DESTDIR)$(MANDIR)/man1/wasmix.1 $(DESTDIR)$(MANDIR)/man3/wasmix.3 \
	  $(DESTDIR)$(LIBEXECDIR)/wasmix/wasmix-helper
	-rmdir $(DESTDIR)$(LIBEXECDIR)/wasmix 2>/dev/null

# Installs into a temporary prefix and builds examples/embed*.c there
# with pkg-config only (tests/run_install.sh).
install-test: $(O)/wasmix $(O)/wasmix-helper $(O)/libwasmix.a $(O)/$(SHLIB) $(O)/examples/hello.wasm
	@EXTRA_CFLAGS="$(EXTRA_CFLAGS)" CC="$(CC)" sh tests/run_install.sh $(O)

# --- spec suite --------------------------------------------------------------
# wasmix-spec reads the suite's .wast scripts itself (src/wat/, docs/wat.md):
# the 2.0 suite (SIMD files included) with the threads proposal. SPEC3_DIR
# is the WebAssembly 3.0 suite: every command passes or is skipped with the
# engine feature it needs.
SPEC3_DIR ?= ../shared/testdata/wasm-spec-3.0
SPEC_WAST := $(wildcard $(SPEC_DIR)/*.wast) \
             $(wildcard $(SPEC_DIR)/proposals/threads/*.wast)

spec: $(O)/wasmix-spec
	$(O)/wasmix-spec --wasm2 --skip tests/spec/skip.txt $(SPEC_WAST)
	$(O)/wasmix-spec $(wildcard tests/spec/engine/*.wast)

# The suite again with explicit bounds checks instead of guard pages.
spec-checks: $(O)/wasmix-spec
	@WASMIX_BOUNDS_CHECKS=1 $(O)/wasmix-spec --wasm2 --skip tests/spec/skip.txt \
	  $(SPEC_WAST) > $(O)/spec-checks.log; rc=$$?; \
	  echo "explicit bounds checks: $$(tail -1 $(O)/spec-checks.log)"; \
	  exit $$rc

# The SIMD files again with each other instruction set this host has
# (src/vm/vm_simd.h; 'spec' and 'spec3' run the best one, SSE4.1 on most
# x86-64 CPUs): SSE2 only, and the portable code that other hosts run.
SPEC_SIMD_WAST := $(wildcard $(SPEC_DIR)/simd_*.wast)
SPEC3_SIMD_WAST := $(wildcard $(SPEC3_DIR)/simd/*.wast) \
                   $(wildcard $(SPEC3_DIR)/relaxed-simd/*.wast)
SIMD_ISAS := $(if $(filter x86_64,$(shell uname -m)),sse2 generic,generic)
spec-simd: $(O)/wasmix-spec
	@for isa in $(SIMD_ISAS); do \
	  $(O)/wasmix-spec --simd-isa $$isa --wasm2 --skip tests/spec/skip.txt \
	    $(SPEC_SIMD_WAST) > $(O)/spec-simd-$$isa.log && \
	  $(O)/wasmix-spec --simd-isa $$isa $(SPEC3_SIMD_WAST) \
	    > $(O)/spec3-simd-$$isa.log; rc=$$?; \
	  echo "SIMD files with $$(sed -n 's/^SIMD instructions: //p;q' \
	    $(O)/spec-simd-$$isa.log): 2.0" \
	    "$$(tail -1 $(O)/spec-simd-$$isa.log); 3.0" \
	    "$$(tail -1 $(O)/spec3-simd-$$isa.log)"; \
	  if [ $$rc != 0 ]; then grep -h ': .*fail\|failed' \
	    $(O)/spec-simd-$$isa.log $(O)/spec3-simd-$$isa.log | \
	    grep -v ' 0 failed' | head -20; exit 1; fi; \
	done

# The 3.0 suite, with counts per folder (tests/spec/spec3.sh).
spec3: $(O)/wasmix-spec
	@sh tests/spec/spec3.sh $(O) $(SPEC3_DIR)

# The former route through wabt's wast2json, kept to compare (not in 'test').
# Debian's wabt 1.0.32 predates some of the 2.0 suite's text syntax:
# SPEC_FIXUP rewrites it into the older, equivalent form (same line numbers),
# and comments.wast crashes its lexer.
WAST2JSON_FLAGS := --enable-threads
SPEC_FIXUP := sed -E -e 's/\((table\.(get|set|fill|grow)) \(/(\1 0 (/g' \
              -e 's/(table\.size)\)/\1 0)/g' \
              -e 's/\(if \(i32\.const 1\) \(i32\.eqz\) \(then\)/(if (i32.eqz (i32.const 1)) (then)/'
SPEC_CORE := $(filter-out simd_% comments,\
              $(basename $(notdir $(wildcard $(SPEC_DIR)/*.wast))))
SPEC_THREADS := $(basename $(notdir $(wildcard $(SPEC_DIR)/proposals/threads/*.wast)))
SPEC_JSON := $(foreach n,$(SPEC_CORE),$(O)/spec/core/$(n)/$(n).json) \
             $(foreach n,$(SPEC_THREADS),$(O)/spec/threads/$(n)/$(n).json)

$(O)/spec/core/%.json:
	@mkdir -p $(dir $@)
	$(SPEC_FIXUP) $(SPEC_DIR)/$(notdir $*).wast > $(basename $@).wast
	$(WAST2JSON) $(WAST2JSON_FLAGS) $(basename $@).wast -o $@ >/dev/null

$(O)/spec/threads/%.json:
	@mkdir -p $(dir $@)
	$(WAST2JSON) $(WAST2JSON_FLAGS) $(SPEC_DIR)/proposals/threads/$(notdir $*).wast -o $@ >/dev/null

spec-json: $(O)/wasmix-spec $(SPEC_JSON)
	$(O)/wasmix-spec --skip tests/spec/skip.txt $(SPEC_JSON)

# --- tests ---------------------------------------------------------------------
unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do $$t; done

# 'wasmix run' compiles through the cache by default (docs/aot.md): the
# tests use one of their own, never ~/.cache/wasmix, made afresh here and
# removed at the end, once no background compile runs in it any more.
TEST_CACHE := $(abspath $(O))/test-cache
test: export XDG_CACHE_HOME := $(TEST_CACHE)
test: export WASMIX_TEST_CACHE := $(TEST_CACHE)
test: all unit capi install-test spec spec-checks spec-simd spec3 fuzz-regress
	@sh tests/run_cli.sh $(O) && sh tests/run_wasi.sh $(O) && sh tests/run_threads.sh $(O)
	@sh tests/run_guard.sh $(O)
	@sh tests/run_aot.sh $(O)
	@sh tests/run_wasix.sh $(O)
	@sh tests/run_net.sh $(O)
	@sh tests/run_wasm3.sh $(O)
	@sh tests/run_dylink.sh $(O)
	@sh tests/run_wasixlibc.sh $(O)
	@if [ -d "$(TEST_CACHE)/wasmix" ]; then flock -x "$(TEST_CACHE)/wasmix" true; fi
	@rm -rf "$(TEST_CACHE)"

aot-test: all
	@sh tests/run_aot.sh $(O)

# 'make asan ASAN_O=build-me-asan' builds and tests in a directory of one's own.
asan:
	$(MAKE) O=$(or $(ASAN_O),build-asan) OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  test

# The text front end against wabt's wast2json (bench/run_wat.sh; by hand).
bench-wat: $(O)/wasmix-spec
	@sh bench/run_wat.sh $(O) $(SPEC3_DIR)

# SIMD kernels, scalar and -msimd128 builds (bench/run_simd.sh).
bench-simd: all
	@sh bench/run_simd.sh $(O)

bench: all
	@sh bench/run.sh $(O)
	@sh bench/run_threads.sh $(O)
	@sh bench/run_proc.sh $(O)
	@sh bench/run_shell.sh $(O)
	@sh bench/run_net.sh $(O)
	@sh bench/run_confine.sh $(O)

# --- WASIX guest SDK (sdk/README.md) -------------------------------------------
# libwasix.a: the SDK's POSIX layer over wasi-libc, built with the guest
# compiler; sdk/wasmix-cc links it (WASMIX_SDK_LIB=$(O)/sdk).
WASM_AR  ?= $(shell command -v llvm-ar-14 || command -v llvm-ar || echo llvm-ar)
SDK_SRC  := $(filter-out sdk/src/sdk_pthread.c,$(wildcard sdk/src/*.c))
SDK_OBJ  := $(SDK_SRC:sdk/src/%.c=$(O)/sdk/obj/%.o)
SDK_LIB  := $(O)/sdk/libwasix.a
SDK_CFLAGS := $(WASM_CFLAGS) -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_GETPID \
              -DWASIX_SDK_INTERNAL -Isdk/include

$(O)/sdk/obj/%.o: sdk/src/%.c $(wildcard sdk/include/*.h sdk/include/*/*.h)
	@mkdir -p $(dir $@)
	$(WASM_CC) $(SDK_CFLAGS) -c $< -o $@

$(SDK_LIB): $(SDK_OBJ)
	@rm -f $@
	$(WASM_AR) rcs $@ $^

# libwasix-pthread.a: the pthread layer of 'wasmix-cc -pthread', built
# with atomics (sdk/README.md).
SDK_PT_OBJ := $(O)/sdk/obj-pthread/sdk_pthread.o \
              $(O)/sdk/obj-pthread/sdk_pthread_start.o
SDK_PT_LIB := $(O)/sdk/libwasix-pthread.a

$(O)/sdk/obj-pthread/%.o: sdk/src/%.c sdk/include/pthread.h
	@mkdir -p $(dir $@)
	$(WASM_CC) $(SDK_CFLAGS) -matomics -mbulk-memory -ftls-model=local-exec \
	  -c $< -o $@

$(O)/sdk/obj-pthread/%.o: sdk/src/%.s
	@mkdir -p $(dir $@)
	$(WASM_CC) --target=wasm32-wasi -matomics -mbulk-memory -c $< -o $@

$(SDK_PT_LIB): $(SDK_PT_OBJ)
	@rm -f $@
	$(WASM_AR) rcs $@ $^

sdk: $(SDK_LIB) $(SDK_PT_LIB)
test: $(SDK_LIB) $(SDK_PT_LIB)
bench: $(SDK_LIB)

.PHONY: sdk

# --- fuzzing (docs/fuzzing.md) --------------------------------------------------
# libFuzzer targets built with clang + ASan + UBSan into $(O)/fuzz/, seeded
# from the spec suite's modules (written by wasmix-spec --write-modules,
# never committed). 'make fuzz FUZZ_TIME=60' runs each target that many seconds;
# 'make fuzz-ci' is CI's run (tests/fuzz/fuzz_ci.sh). fuzz-regress replays
# tests/fuzz/regress/ through decode, validate, instantiate and execute.
FUZZ_CC      ?= clang
FUZZ_TIME    ?= 60
FUZZ_TARGETS := decode validate instantiate execute wat
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
# Switch dispatch by default: the interpreter's computed-goto build also
# runs clean under ASan+UBSan (FUZZ_DISPATCH=goto), but the switch gives
# libFuzzer one comparable edge per opcode.
FUZZ_DISPATCH ?= switch
FUZZ_CFLAGS  := -std=c11 -g -O1 -Wall -Wextra -Wno-unused-parameter \
                $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
                $(CPPFLAGS)
ifeq ($(FUZZ_DISPATCH),switch)
FUZZ_CFLAGS  += -DWX_DISPATCH_SWITCH=1
endif
ifeq ($(WERROR),1)
FUZZ_CFLAGS  += -Werror
endif
FUZZ_LIB_SRC := $(wildcard src/base/*.c src/wasm/*.c src/wat/*.c src/vm/*.c) \
                tests/fuzz/fuzz_host.c
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(O)/fuzz/obj/%.o)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(O)/fuzz/fuzz_%)

$(O)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(O)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@ $(LDLIBS)

$(O)/fuzz/seed.stamp: $(O)/wasmix-spec $(O)/wasmix $(wildcard tests/fuzz/regress/*) \
                      tests/fuzz/fuzz_seed.sh tests/fuzz/diff/fuzz_gen.mjs
	@rm -rf $(O)/spec-modules && mkdir -p $(O)/spec-modules
	$(O)/wasmix-spec --wasm2 --write-modules $(O)/spec-modules $(SPEC_WAST) >/dev/null
	sh tests/fuzz/fuzz_seed.sh $(O)/spec-modules $(O)/fuzz/seed $(O)
	@rm -rf $(O)/fuzz/seed-wat && mkdir -p $(O)/fuzz/seed-wat
	@for f in $(SPEC_WAST) $(filter-out %/simd/% %/relaxed-simd/%,\
	    $(wildcard $(SPEC3_DIR)/*.wast $(SPEC3_DIR)/*/*.wast)) \
	    tests/cli/*.wat tests/guard/*.wat; do \
	  cp "$$f" "$(O)/fuzz/seed-wat/$$(basename "$$(dirname "$$f")")_$$(basename "$$f")"; \
	done
	@touch $@

fuzz-build: $(FUZZ_BINS) $(O)/fuzz/seed.stamp

fuzz: fuzz-build
	sh tests/fuzz/fuzz_run.sh $(O)/fuzz $(FUZZ_TIME) $(FUZZ_TARGETS)

# CI: every target FUZZ_CI_TIME s on the seeds and regression inputs,
# then FUZZ_CI_GEN generated modules from fixed seeds and as many from
# the clock through the differential test (about 5 minutes on 2 cores).
FUZZ_CI_TIME ?= 60
FUZZ_CI_GEN  ?= 250
FUZZ_CI_WAT_TIME ?= 30
fuzz-ci: fuzz-build $(O)/fuzz_diffrun
	FUZZ_CI_WAT_TIME=$(FUZZ_CI_WAT_TIME) \
	  sh tests/fuzz/fuzz_ci.sh $(O) $(FUZZ_CI_TIME) $(FUZZ_CI_GEN)

$(O)/fuzz_replay: tests/fuzz/fuzz_replay.c tests/fuzz/fuzz_execute.c \
                  tests/fuzz/fuzz_host.c $(O)/libwasmix.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS)

fuzz-regress: $(O)/fuzz_replay
	sh tests/fuzz/fuzz_regress.sh $(O)

# Differential test against node (V8): the spec modules plus FUZZ_GEN
# generated ones (kept in $(O)/fuzz-diff/ for replay).
FUZZ_GEN ?= 2000
$(O)/fuzz_diffrun: tests/fuzz/diff/fuzz_diffrun.c tests/fuzz/fuzz_host.c \
                   $(O)/libwasmix.a
	$(CC) $(CPPFLAGS) -Itests/fuzz $(ALL_CFLAGS) $^ -o $@ $(LDLIBS)

fuzz-diff: $(O)/fuzz_diffrun $(O)/fuzz/seed.stamp
	node tests/fuzz/diff/fuzz_diff.mjs --driver $(O)/fuzz_diffrun \
	  --gen $(FUZZ_GEN) --out $(O)/fuzz-diff $(O)/fuzz/seed

.PHONY: fuzz fuzz-ci fuzz-build fuzz-regress fuzz-diff

clean:
	rm -rf $(O) build-asan

.PHONY: all capi shared install uninstall install-test spec spec-checks spec-simd spec3 spec-json unit test aot-test asan bench bench-simd bench-wat clean
.SECONDARY:

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
-include $(shell find $(O)/pic -name '*.d' 2>/dev/null)
-include $(shell find $(O)/fuzz/obj -name '*.d' 2>/dev/null)
