# wasmix: GNU Makefile, out-of-tree build into build/.
#
#   make            library, CLI, spec runner, examples
#   make test       unit tests + the WebAssembly spec suite
#   make spec       the spec suite only
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
LDLIBS   := -lm -lpthread

LIB_SRC  := $(wildcard src/base/*.c src/wasm/*.c src/vm/*.c src/wasi/*.c src/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/obj/%.o)
CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(CLI_SRC:%.c=$(O)/obj/%.o)
SPEC_SRC := $(wildcard tests/spec/*.c)
SPEC_OBJ := $(SPEC_SRC:%.c=$(O)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/t_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/unit/%)
EXAMPLES := $(patsubst examples/%.c,$(O)/examples/%.wasm,$(wildcard examples/*.c))

all: $(O)/libwasmix.a $(O)/wasmix $(O)/wasmix-spec $(EXAMPLES)

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(O)/libwasmix.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(O)/wasmix: $(CLI_OBJ) $(O)/libwasmix.a
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS)

$(O)/wasmix-spec: $(SPEC_OBJ) $(O)/libwasmix.a
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS)

$(O)/unit/%: tests/unit/%.c $(O)/libwasmix.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $< $(O)/libwasmix.a -o $@ $(LDLIBS)

$(O)/examples/%.wasm: examples/%.c
	@mkdir -p $(dir $@)
	$(WASM_CC) $(WASM_CFLAGS) $< -o $@

# --- spec suite --------------------------------------------------------------
# Debian's wabt 1.0.32 predates some of the suite's text syntax. SPEC_FIXUP
# rewrites it into the older, equivalent form (same instructions, same line
# numbers): the implicit table index of table.get/set/fill/grow/size
# (table_*.wast) and one folded 'if' whose condition is two instructions
# (if.wast); it changes no other file. comments.wast crashes wabt's lexer
# and tests only the text format: listed by `make spec` as not run, never
# counted as passed.
# --enable-threads, not --enable-all: the same .wasm and .json output, but
# without wabt's function-references typing, which floods stderr with false
# "type mismatch" errors for ref.func. (One remains, elem.wast:694: wabt
# cannot print a global.get element expression; the JSON is still complete.)
SPEC_UNPARSEABLE := comments
WAST2JSON_FLAGS := --enable-threads
SPEC_FIXUP := sed -E -e 's/\((table\.(get|set|fill|grow)) \(/(\1 0 (/g' \
              -e 's/(table\.size)\)/\1 0)/g' \
              -e 's/\(if \(i32\.const 1\) \(i32\.eqz\) \(then\)/(if (i32.eqz (i32.const 1)) (then)/'
SPEC_CORE := $(filter-out simd_% $(SPEC_UNPARSEABLE),\
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

spec: $(O)/wasmix-spec $(SPEC_JSON)
	@echo "not run (wabt 1.0.32 cannot parse): $(SPEC_UNPARSEABLE)"
	$(O)/wasmix-spec --skip tests/spec/skip.txt $(SPEC_JSON)

# --- tests ---------------------------------------------------------------------
unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do $$t; done

test: all unit spec
	@sh tests/run_cli.sh $(O)

asan:
	$(MAKE) O=build-asan OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  test

bench: all
	@sh bench/run.sh $(O)

clean:
	rm -rf $(O) build-asan

.PHONY: all spec unit test asan bench clean
.SECONDARY:

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
