/*
 * wasix_net.c: the network policy (which addresses a guest may connect
 * to and bind), guest socket addresses, and 'resolve'.
 *
 * Policy (docs/networking.md): deny by default. A context whose policy
 * has neither 'all' nor a rule opens no IP socket (EACCES); with rules,
 * every connect and send_to destination must match a CONNECT rule and
 * every bound (or listened-on, unbound) local address a BIND rule, else
 * EACCES. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is checked as the
 * IPv4 address it carries, so a v6 socket cannot reach past a v4 rule.
 * Name lookup ('resolve') is on with 'all' and off otherwise, unless
 * 'lookup' says so.
 *
 * Guest addresses (wasix_32v1 addr_port, 110 bytes, align 2): tag u8 @0
 * (1 INET4, 2 INET6, 3 UNIX), port u16 @2 in host (little-endian) order,
 * then INET4: 4 address bytes @4 in network order; INET6: 16 address
 * bytes @4, flow info high/low u16 @20/@22, scope id high/low u16
 * @24/@26; UNIX: a path @2 (108 bytes). addr_ip (resolve's output, 18
 * bytes): tag u8 @0, address bytes @2. Every guest address is copied
 * into host memory once, then decoded.
 */
#include "wasix/wasix_impl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#define WX_ADDR_PORT_SIZE 110
#define WX_ADDR_IP_SIZE   18
#define WX_ADDR_IP_LEN    28  /* the bytes of an addr_port that IP uses */
#define WX_RESOLVE_MAX    256 /* addresses one resolve returns at most */
#define WX_HOST_MAX       1024

enum { WX_AF_UNSPEC = 0, WX_AF_INET4 = 1, WX_AF_INET6 = 2, WX_AF_UNIX = 3 };

void wasix_set_net(struct wasix_ctx *x, const struct wasix_net_policy *p)
{
	x->net = *p;
}

/* ---- parsing rules ------------------------------------------------------ */

/* Parses a decimal number in [0, max] from [s, e). */
static int wx_parse_num(const char *s, const char *e, unsigned long max,
                        unsigned long *out)
{
	unsigned long v = 0;

	if (s == e || e - s > 10)
		return EINVAL;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > max)
		return EINVAL;
	*out = v;
	return 0;
}

/* Parses "PORT" or "LO-HI" from [s, e) into the rule. */
static int wx_parse_ports(const char *s, const char *e,
                          struct wasix_net_rule *r)
{
	const char *dash = memchr(s, '-', (size_t)(e - s));
	unsigned long lo, hi;

	if (e - s == 1 && *s == '*') {
		r->port_lo = 0;
		r->port_hi = 65535;
		return 0;
	}
	if (wx_parse_num(s, dash ? dash : e, 65535, &lo) != 0 ||
	    wx_parse_num(dash ? dash + 1 : s, e, 65535, &hi) != 0 || lo > hi)
		return EINVAL;
	r->port_lo = (uint16_t)lo;
	r->port_hi = (uint16_t)hi;
	return 0;
}

int wasix_net_rule_parse(const char *spec, uint8_t op, struct wasix_net_rule *r)
{
	char host[64];
	const char *p = spec, *hend, *rest, *pend;
	const char *slash;
	unsigned long prefix;
	size_t n;

	memset(r, 0, sizeof *r);
	r->op = op;
	r->port_hi = 65535;
	if (*p == '[') {
		/* "[V6]/N:P" or "[V6/N]:P" */
		hend = strchr(p, ']');
		if (hend == NULL)
			return EINVAL;
		p++;
		slash = memchr(p, '/', (size_t)(hend - p));
		rest = hend + 1;
		if (*rest == '/' && slash == NULL) {
			slash = rest;
			rest = strchr(rest, ':');
			if (rest == NULL)
				rest = slash + strlen(slash);
			pend = rest;
		} else {
			pend = hend;
		}
	} else {
		hend = strchr(p, ':');
		if (hend == NULL)
			hend = p + strlen(p);
		rest = hend;
		slash = memchr(p, '/', (size_t)(hend - p));
		pend = hend;
	}
	/* the address is [p, slash or hend); the prefix (slash, pend) */
	n = (size_t)((slash && slash < hend ? slash : hend) - p);
	if (n == 0 || n >= sizeof host)
		return EINVAL;
	memcpy(host, p, n);
	host[n] = 0;
	if (strcmp(host, "*") == 0) {
		if (slash != NULL)
			return EINVAL;
		r->family = 0;
	} else if (inet_pton(AF_INET, host, r->addr) == 1) {
		r->family = 4;
		r->prefix = 32;
	} else if (inet_pton(AF_INET6, host, r->addr) == 1) {
		r->family = 6;
		r->prefix = 128;
	} else {
		return EINVAL;
	}
	if (slash != NULL) {
		if (wx_parse_num(slash + 1, pend, r->prefix, &prefix) != 0)
			return EINVAL;
		r->prefix = (uint8_t)prefix;
	}
	if (*rest == 0)
		return 0;
	if (*rest != ':')
		return EINVAL;
	return wx_parse_ports(rest + 1, rest + strlen(rest), r);
}

/* ---- checking ----------------------------------------------------------- */

bool wasix_net_any(const struct wasix_ctx *x)
{
	return x->net.all || x->net.nrules > 0;
}

/* Whether the first 'bits' bits of a and b agree. */
static bool wx_prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	uint8_t mask;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

uint32_t wasix_net_check(const struct wasix_ctx *x, uint8_t op,
                         const struct sockaddr *sa)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
	                                   0, 0, 0, 0, 0xff, 0xff};
	const uint8_t *addr;
	uint8_t family;
	uint16_t port;

	if (x->net.all)
		return WASI_ESUCCESS;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		addr = (const uint8_t *)&in->sin_addr;
		family = 4;
		port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		addr = in6->sin6_addr.s6_addr;
		family = 6;
		port = ntohs(in6->sin6_port);
		if (memcmp(addr, mapped, sizeof mapped) == 0) {
			addr += 12;
			family = 4;
		}
	} else {
		return WASI_EACCES;
	}
	for (uint32_t i = 0; i < x->net.nrules; i++) {
		const struct wasix_net_rule *r = &x->net.rules[i];

		if (r->op != op || port < r->port_lo || port > r->port_hi)
			continue;
		if (r->family == 0 || (r->family == family &&
		                       wx_prefix_eq(r->addr, addr, r->prefix)))
			return WASI_ESUCCESS;
	}
	return WASI_EACCES;
}

/* ---- guest addresses ---------------------------------------------------- */

uint32_t wasix_addr_get(struct vm_call *c, uint64_t ptr,
                        struct sockaddr_storage *ss, uint32_t *len)
{
	const uint8_t *g = wasi_mem(c, ptr, WX_ADDR_IP_LEN);
	uint8_t b[WX_ADDR_IP_LEN];
	uint16_t port;

	if (g == NULL)
		return WASI_EFAULT;
	memcpy(b, g, sizeof b); /* once: shared memory may change */
	port = (uint16_t)(b[2] | b[3] << 8);
	memset(ss, 0, sizeof *ss);
	if (b[0] == WX_AF_INET4) {
		struct sockaddr_in *in = (void *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, b + 4, 4);
		*len = sizeof *in;
		return WASI_ESUCCESS;
	}
	if (b[0] == WX_AF_INET6) {
		struct sockaddr_in6 *in6 = (void *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		memcpy(in6->sin6_addr.s6_addr, b + 4, 16);
		in6->sin6_flowinfo = (uint32_t)(b[20] | b[21] << 8) << 16 |
		                     (uint32_t)(b[22] | b[23] << 8);
		in6->sin6_scope_id = (uint32_t)(b[24] | b[25] << 8) << 16 |
		                     (uint32_t)(b[26] | b[27] << 8);
		*len = sizeof *in6;
		return WASI_ESUCCESS;
	}
	return WASI_EAFNOSUPPORT;
}

uint32_t wasix_addr_put(struct vm_call *c, uint64_t ptr,
                        const struct sockaddr *sa, uint32_t len)
{
	uint8_t b[WX_ADDR_PORT_SIZE];
	size_t n = WX_ADDR_IP_LEN;
	uint8_t *g;

	memset(b, 0, sizeof b);
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)sa;

		b[0] = WX_AF_INET4;
		wasi_put_u16(b + 2, ntohs(in->sin_port));
		memcpy(b + 4, &in->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6 &&
	           len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		b[0] = WX_AF_INET6;
		wasi_put_u16(b + 2, ntohs(in6->sin6_port));
		memcpy(b + 4, in6->sin6_addr.s6_addr, 16);
		wasi_put_u16(b + 20, (uint16_t)(in6->sin6_flowinfo >> 16));
		wasi_put_u16(b + 22, (uint16_t)in6->sin6_flowinfo);
		wasi_put_u16(b + 24, (uint16_t)(in6->sin6_scope_id >> 16));
		wasi_put_u16(b + 26, (uint16_t)in6->sin6_scope_id);
	} else if (sa->sa_family == AF_UNIX) {
		/* a socket pair's ends: no name, as on Linux */
		b[0] = WX_AF_UNIX;
		n = WX_ADDR_PORT_SIZE;
	} else {
		b[0] = WX_AF_UNSPEC;
	}
	g = wasi_mem(c, ptr, n);
	if (g == NULL)
		return WASI_EFAULT;
	memcpy(g, b, n);
	return WASI_ESUCCESS;
}

/* ---- resolve ------------------------------------------------------------ */

/* Whether the policy lets the guest look names up. */
static bool wx_lookup_ok(const struct wasix_ctx *x)
{
	if (x->net.lookup != 0)
		return x->net.lookup > 0;
	return x->net.all;
}

/* Maps a getaddrinfo error to an errno. */
static uint32_t wx_gai_errno(int rc)
{
	switch (rc) {
	case EAI_NONAME:
	case EAI_NODATA:
		return WASI_ENOENT;
	case EAI_AGAIN:
		return WASI_EAGAIN;
	case EAI_MEMORY:
		return WASI_ENOMEM;
	case EAI_SYSTEM:
		return wasi_errno_from_host(errno);
	default:
		return WASI_EIO;
	}
}

/* Whether 'a' (an addr_ip's bytes, tag first) is already among 'n' of 'out'. */
static bool wx_seen(const uint8_t *out, uint32_t n, const uint8_t *a)
{
	for (uint32_t i = 0; i < n; i++)
		if (memcmp(out + (size_t)i * WX_ADDR_IP_SIZE, a,
		           WX_ADDR_IP_SIZE) == 0)
			return true;
	return false;
}

/*
 * resolve(host, host_len, port, addrs: addr_ip[naddrs], naddrs)
 *   -> (errno, count). The host's resolver (getaddrinfo: /etc/hosts, then
 * DNS), each address once, at most 'naddrs' of them.
 */
int wasix_net_resolve(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint32_t naddrs = wasi_size32(c, 4), n = 0, err;
	struct addrinfo hints, *res = NULL, *ai;
	uint8_t a[WX_ADDR_IP_SIZE], *out, *pn;
	char host[WX_HOST_MAX];
	int rc;

	err = wasix_str(c, 0, host, sizeof host);
	if (err != WASI_ESUCCESS)
		return wasi_ret(c, err);
	if (naddrs > WX_RESOLVE_MAX)
		naddrs = WX_RESOLVE_MAX;
	out = wasi_mem(c, wasi_ptr(c, 3), (uint64_t)naddrs * WX_ADDR_IP_SIZE);
	pn = wasi_mem(c, wasi_ptr(c, 5), wasi_psize(c));
	if (out == NULL || pn == NULL)
		return wasi_ret(c, WASI_EFAULT);
	if (!wx_lookup_ok(x))
		return wasi_ret(c, WASI_EACCES);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0)
		return wasi_ret(c, wx_gai_errno(rc));
	for (ai = res; ai != NULL && n < naddrs; ai = ai->ai_next) {
		memset(a, 0, sizeof a);
		if (ai->ai_family == AF_INET) {
			a[0] = WX_AF_INET4;
			memcpy(
			    a + 2,
			    &((const struct sockaddr_in *)(void *)ai->ai_addr)
			         ->sin_addr,
			    4);
		} else if (ai->ai_family == AF_INET6) {
			a[0] = WX_AF_INET6;
			memcpy(
			    a + 2,
			    ((const struct sockaddr_in6 *)(void *)ai->ai_addr)
			        ->sin6_addr.s6_addr,
			    16);
		} else {
			continue;
		}
		if (wx_seen(out, n, a))
			continue;
		memcpy(out + (size_t)n * WX_ADDR_IP_SIZE, a, sizeof a);
		n++;
	}
	freeaddrinfo(res);
	wasi_put_ptr(c, pn, n);
	return wasi_ret(c, WASI_ESUCCESS);
}
