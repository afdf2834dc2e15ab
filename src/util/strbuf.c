/* strbuf: growable string buffer used for all text building. */
#include "strbuf.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	if (extra > SIZE_MAX - sb->len - 1)
		abort();
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap = cap < SIZE_MAX / 2 ? cap * 2 : need;
	sb->buf = xrealloc(sb->buf, cap);
	sb->cap = cap;
	sb->buf[sb->len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	/* format into the room there is; only when it does not fit, grow and format again */
	strbuf_grow(sb, 64);
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0) {
		sb->buf[sb->len] = '\0';
		return;
	}
	if ((size_t)n >= sb->cap - sb->len) {
		strbuf_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	}
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	if (!sb->buf)
		strbuf_grow(sb, 0);
	char *p = sb->buf;
	if (len)
		*len = sb->len;
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	if (*p < 0x80)
		return 1;
	size_t n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
	if (!n || (n == 2 && *p < 0xc2) || (n == 4 && *p > 0xf4))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && *p == 0xe0 && p[1] < 0xa0) || (n == 3 && *p == 0xed && p[1] >= 0xa0) ||
	    (n == 4 && *p == 0xf0 && p[1] < 0x90) || (n == 4 && *p == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

void strbuf_add_json_escaped(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		/* the common case, a run of printable ASCII, goes in one copy */
		const unsigned char *run = p;
		while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			strbuf_add(sb, run, (size_t)(p - run));
		if (!*p)
			break;
		size_t l = utf8_len(p);
		if (l == 0) {
			/* Invalid UTF-8 (tar names are bytes): U+FFFD, as Go's encoder does. */
			strbuf_adds(sb, "\\ufffd");
			p++;
			continue;
		}
		if (l > 1)
			strbuf_add(sb, p, l);
		else if (*p == '"')
			strbuf_adds(sb, "\\\"");
		else if (*p == '\\')
			strbuf_adds(sb, "\\\\");
		else if (*p == '\n')
			strbuf_adds(sb, "\\n");
		else if (*p == '\r')
			strbuf_adds(sb, "\\r");
		else if (*p == '\t')
			strbuf_adds(sb, "\\t");
		else
			strbuf_addf(sb, "\\u%04x", *p);
		p += l;
	}
}

void strbuf_add_xml_escaped(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t n = utf8_len(p);
		switch (n ? *p : 0) {
		case '&':
			strbuf_adds(sb, "&amp;");
			break;
		case '<':
			strbuf_adds(sb, "&lt;");
			break;
		case '>':
			strbuf_adds(sb, "&gt;");
			break;
		case '"':
			strbuf_adds(sb, "&quot;");
			break;
		case '\'':
			strbuf_adds(sb, "&#39;");
			break;
		case '\t':
		case '\n':
			strbuf_addch(sb, (char)*p);
			break;
		default:
			/* Invalid UTF-8 and characters XML 1.0 forbids become U+FFFD. */
			if (!n || *p < 0x20 || *p == 0x7f ||
			    (n == 3 && *p == 0xef && p[1] == 0xbf && p[2] >= 0xbe))
				strbuf_adds(sb, "\xef\xbf\xbd");
			else
				strbuf_add(sb, p, n);
		}
		p += n ? n : 1;
	}
}
