/*
 * interp.c: a small register bytecode interpreter (switch dispatch)
 * running a loop of arithmetic, compares and branches for 24 million
 * iterations (times the optional scale argument): the shape of a
 * scripting-language inner loop. Prints the final registers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum op { LI, ADD, SUB, MUL, MOD, XOR, SHR, LT, JNZ, JMP, HALT };

struct insn {
	uint8_t op, a, b, c; /* registers, or a and a 16-bit immediate */
	int32_t imm;
};

static uint32_t run(const struct insn *code, uint32_t *r)
{
	const struct insn *pc = code;
	uint32_t steps = 0;

	for (;;) {
		const struct insn *i = pc++;

		steps++;
		switch (i->op) {
		case LI:
			r[i->a] = (uint32_t)i->imm;
			break;
		case ADD:
			r[i->a] = r[i->b] + r[i->c];
			break;
		case SUB:
			r[i->a] = r[i->b] - r[i->c];
			break;
		case MUL:
			r[i->a] = r[i->b] * r[i->c];
			break;
		case MOD:
			r[i->a] = r[i->b] % r[i->c];
			break;
		case XOR:
			r[i->a] = r[i->b] ^ r[i->c];
			break;
		case SHR:
			r[i->a] = r[i->b] >> (r[i->c] & 31);
			break;
		case LT:
			r[i->a] = r[i->b] < r[i->c];
			break;
		case JNZ:
			if (r[i->a])
				pc = code + i->imm;
			break;
		case JMP:
			pc = code + i->imm;
			break;
		default:
			return steps;
		}
	}
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	/*
	 * r0 = i, r1 = n, r2 = acc, r3 = 1, r4 = 1009, r5 = 7, r6 = t,
	 * r7 = cond, r8 = 3.
	 *   loop: t = i * i; t = t + i*7 ... acc ^= t % 1009; acc += acc >> 3
	 */
	const struct insn prog[] = {
	    {LI, 0, 0, 0, 0},        /* 0: i = 0 */
	    {LI, 1, 0, 0, 24000000}, /* 1: n */
	    {LI, 2, 0, 0, 1},        /* 2: acc = 1 */
	    {LI, 3, 0, 0, 1},        /* 3 */
	    {LI, 4, 0, 0, 1009},     /* 4 */
	    {LI, 5, 0, 0, 7},        /* 5 */
	    {LI, 8, 0, 0, 3},        /* 6 */
	    {MUL, 6, 0, 0, 0},       /* 7: t = i * i */
	    {MUL, 7, 0, 5, 0},       /* 8: c = i * 7 */
	    {ADD, 6, 6, 7, 0},       /* 9: t += c */
	    {MOD, 6, 6, 4, 0},       /* 10: t %= 1009 */
	    {XOR, 2, 2, 6, 0},       /* 11: acc ^= t */
	    {SHR, 7, 2, 8, 0},       /* 12: c = acc >> 3 */
	    {ADD, 2, 2, 7, 0},       /* 13: acc += c */
	    {ADD, 0, 0, 3, 0},       /* 14: i++ */
	    {LT, 7, 0, 1, 0},        /* 15: c = i < n */
	    {JNZ, 7, 0, 0, 7},       /* 16: loop */
	    {HALT, 0, 0, 0, 0},
	};
	struct insn code[sizeof prog / sizeof prog[0]];
	uint32_t r[16] = {0}, steps = 0, acc = 0;
	size_t k;
	int rep;

	for (k = 0; k < sizeof prog / sizeof prog[0]; k++)
		code[k] = prog[k];
	for (rep = 0; rep < scale; rep++) {
		steps = run(code, r);
		acc ^= r[2] + steps;
	}
	printf("interp: acc %u steps %u\n", acc, steps);
	return 0;
}
