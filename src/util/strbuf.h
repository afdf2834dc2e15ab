/* A growable NUL-terminated string buffer, after git's strbuf. */
#ifndef HULL_STRBUF_H
#define HULL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf; /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

#define STRBUF_INIT        \
	{                  \
		NULL, 0, 0 \
	}

void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void strbuf_reset(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
static inline void strbuf_addch(struct strbuf *sb, char c)
{
	if (sb->len + 2 > sb->cap)
		strbuf_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}
/* Returns the buffer (never NULL) and leaves sb empty; the caller frees it. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
/* Appends s JSON-escaped, without the surrounding quotes. */
void strbuf_add_json_escaped(struct strbuf *sb, const char *s);
/* Appends s (NULL: nothing) escaped for XML and HTML text and attribute values; invalid
 * UTF-8 and characters XML 1.0 forbids become U+FFFD. */
void strbuf_add_xml_escaped(struct strbuf *sb, const char *s);

#endif
