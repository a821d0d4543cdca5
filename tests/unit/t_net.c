/*
 * t_net.c: unit tests of the network policy (src/wasix/wasix_net.c):
 * parsing "ADDR[/PREFIX][:PORT[-PORT]]" rules (and refusing malformed
 * ones), and checking addresses against them: deny by default, prefixes
 * that end inside a byte, port ranges, "*", IPv6, IPv4-mapped IPv6
 * addresses checked as IPv4, connect rules not granting binds, and --net.
 *
 * Prints failures and "t_net: N passed, M failed"; exits 1 on failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "t_check.h"
#include "wasix/wasix_impl.h"

static struct wasix_ctx ctx;

static void allow(uint8_t op, const char *spec)
{
	struct wasix_net_rule *r = &ctx.net.rules[ctx.net.nrules];

	CHECK(wasix_net_rule_parse(spec, op, r) == 0);
	ctx.net.nrules++;
}

/* Whether 'op' to "ADDR" port 'port' is allowed. */
static bool ok(uint8_t op, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof ss);
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *a = (void *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		CHECK(inet_pton(AF_INET6, addr, &a->sin6_addr) == 1);
	} else {
		struct sockaddr_in *a = (void *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		CHECK(inet_pton(AF_INET, addr, &a->sin_addr) == 1);
	}
	return wasix_net_check(&ctx, op, (void *)&ss) == WASI_ESUCCESS;
}

static void t_parse(void)
{
	static const char *const bad[] = {
	    "",          "1.2.3",       "1.2.3.4/33",    "1.2.3.4:",
	    "1.2.3.4:x", "1.2.3.4:5-4", "1.2.3.4:70000", "[::1",
	    "[::1]/129", "[::1]:1:2",   "::1:80",        "host:80",
	    "*/8",       "1.2.3.4/",    "1.2.3.4:1-",    "[1.2.3.4]x",
	};
	struct wasix_net_rule r;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = wasix_net_rule_parse(bad[i], WASIX_NET_CONNECT, &r);
		CHECK(rc == EINVAL);
		if (rc != EINVAL)
			printf("     accepted '%s'\n", bad[i]);
	}
	CHECK(wasix_net_rule_parse("10.1.0.0/16:80-90", WASIX_NET_BIND, &r) ==
	      0);
	CHECK(r.op == WASIX_NET_BIND && r.family == 4 && r.prefix == 16 &&
	      r.port_lo == 80 && r.port_hi == 90 && r.addr[1] == 1);
	CHECK(wasix_net_rule_parse("[::1]", WASIX_NET_CONNECT, &r) == 0);
	CHECK(r.family == 6 && r.prefix == 128 && r.port_lo == 0 &&
	      r.port_hi == 65535 && r.addr[15] == 1);
	CHECK(wasix_net_rule_parse("[fd00::/8]:80", WASIX_NET_CONNECT, &r) ==
	      0);
	CHECK(r.family == 6 && r.prefix == 8 && r.port_lo == 80);
	CHECK(wasix_net_rule_parse("[fd00::]/8:80", WASIX_NET_CONNECT, &r) ==
	      0);
	CHECK(r.family == 6 && r.prefix == 8 && r.port_hi == 80);
	CHECK(wasix_net_rule_parse("*:53", WASIX_NET_CONNECT, &r) == 0);
	CHECK(r.family == 0 && r.port_lo == 53 && r.port_hi == 53);
	CHECK(wasix_net_rule_parse("1.2.3.4:*", WASIX_NET_CONNECT, &r) == 0);
	CHECK(r.port_lo == 0 && r.port_hi == 65535);
}

static void t_check(void)
{
	memset(&ctx, 0, sizeof ctx);
	CHECK(!wasix_net_any(&ctx));
	CHECK(!ok(WASIX_NET_CONNECT, "127.0.0.1", 80)); /* deny by default */
	allow(WASIX_NET_CONNECT, "10.0.0.0/9:1000-2000");
	allow(WASIX_NET_CONNECT, "[fd00::]/8");
	allow(WASIX_NET_BIND, "127.0.0.1:0");
	CHECK(wasix_net_any(&ctx));
	CHECK(ok(WASIX_NET_CONNECT, "10.127.255.255", 1000));
	CHECK(ok(WASIX_NET_CONNECT, "10.0.0.1", 2000));
	CHECK(!ok(WASIX_NET_CONNECT, "10.128.0.0", 1500)); /* bit 9 */
	CHECK(!ok(WASIX_NET_CONNECT, "10.0.0.1", 999));
	CHECK(!ok(WASIX_NET_CONNECT, "10.0.0.1", 2001));
	CHECK(ok(WASIX_NET_CONNECT, "::ffff:10.0.0.1", 1500)); /* mapped */
	CHECK(!ok(WASIX_NET_CONNECT, "::ffff:11.0.0.1", 1500));
	CHECK(ok(WASIX_NET_CONNECT, "fdab::1", 443));
	CHECK(!ok(WASIX_NET_CONNECT, "fe80::1", 443));
	CHECK(!ok(WASIX_NET_BIND, "10.0.0.1", 1500)); /* connect only */
	CHECK(ok(WASIX_NET_BIND, "127.0.0.1", 0));
	CHECK(!ok(WASIX_NET_BIND, "127.0.0.1", 8080));
	CHECK(!ok(WASIX_NET_BIND, "0.0.0.0", 0));
	allow(WASIX_NET_BIND, "*");
	CHECK(ok(WASIX_NET_BIND, "0.0.0.0", 8080));
	CHECK(ok(WASIX_NET_BIND, "::", 8080));
	memset(&ctx, 0, sizeof ctx);
	ctx.net.all = true;
	CHECK(wasix_net_any(&ctx));
	CHECK(ok(WASIX_NET_CONNECT, "8.8.8.8", 53));
	CHECK(ok(WASIX_NET_BIND, "0.0.0.0", 1));
}

int main(void)
{
	t_parse();
	t_check();
	return t_report("t_net");
}
