/* Internal to the linter: the rule table entry, the context a rule runs in, and the
 * rule functions (one per rule; rules_*.c hold them, rules.c lists them). */
#ifndef HULL_LINT_RULES_H
#define HULL_LINT_RULES_H

#include "dockerfile.h"
#include "lint.h"
#include "shell.h"

#include "../util/strmap.h"

struct lint_ctx;

struct lint_rule {
	const char *code;
	enum hull_lint_sev sev;
	const char *msg;
	/* Per RUN: false means the instruction fails the rule. */
	bool (*run_ok)(struct lint_ctx *c, const struct df_inst *in, const struct sh_script *s);
	/* Over a sequence of instructions (top level, or ONBUILD triggers). */
	void (*check)(struct lint_ctx *c, struct df_inst *const *v, size_t n);
	bool onbuild; /* hadolint's `onbuild` combinator: also run over ONBUILD triggers */
};

struct script; /* shellcheck.c */

/* State shared by the files of one run (hull_lint_opts.cache). */
struct lint_cache {
	struct hull_secret_engine *secrets;
	struct hull_secret_scratch *scratch;
	bool secrets_failed;
	bool sc_looked;
	char *sc_path;	/* shellcheck, when found */
	int sc_state;	/* see hull_lint_shellcheck_state */
	bool sc_failed; /* a shellcheck process failed or timed out */
	/* shellcheck_batch: scripts waiting for hull_lint_flush, their files in order */
	struct script *pending;
	size_t npending, cap_pending;
	const char **files;
	size_t nfiles, cap_files;
	struct hull_lint_result found;
	size_t *found_file; /* file index of each of found */
	size_t cap_found_file;
	const struct hull_lint_opts *opts;
	/* a worker's cache in hull_lint_files: the secret engine is the parent's, loaded
	 * once under a lock; the scratch is the worker's own */
	struct lint_cache *parent;
};

struct lint_ctx {
	struct df_doc *doc;
	const struct hull_lint_opts *opts;
	const struct lint_rule *rule;
	struct hull_lint_result *res;
	const char *file;
	/* seen_alias's map of stage names, for the instruction list alias_v */
	struct df_inst *const *alias_v;
	struct strmap aliases;
};

extern const struct lint_rule lint_rules[];
extern const size_t lint_nrules;

void lint_fail(struct lint_ctx *c, int line);
void lint_failf(struct lint_ctx *c, int line, const char *fmt, ...) HULL_PRINTF(3, 4);
void lint_add(struct hull_lint_result *res, const char *file, int line, int col, const char *code,
	      enum hull_lint_sev sev, const char *msg);
/* The parsed script of a RUN (heredoc bodies when the command is only heredocs) or of
 * SHELL/CMD/ENTRYPOINT arguments; cached on the instruction. */
const struct sh_script *lint_shell(struct lint_ctx *c, const struct df_inst *in);
bool lint_is_archive(const char *path);
/* ShellCheck findings (SCxxxx) of every RUN of the document; text is the file. */
void lint_shellcheck(struct lint_ctx *c, const char *text, size_t len);
void lint_shellcheck_file(const struct hull_lint_opts *o, const char *file);
/* Frees what shellcheck_batch kept and was never flushed. */
void lint_shellcheck_free(struct lint_cache *cache);
/* The stage each instruction of v belongs to: index of its FROM in v, or -1 before any.
 * Returns the index of the last FROM (the final stage), or -1. Caller frees *stage. */
long lint_stages(struct df_inst *const *v, size_t n, long **stage);
bool lint_truthy(const char *v);
/* The value of key in a RUN --mount option list ("type=bind,from=img,target=/x"), copied
 * into the arena; NULL when the list has no such key. */
const char *lint_mount_opt(struct arena *a, const char *mount, const char *key);
/* A --mount option list in one spelling, for comparing two: keys lower case under their
 * main names (dst/destination: target, src: source, ro: readonly), the last value of each,
 * the type lower case, sorted ("target=/x,type=cache"). */
const char *lint_mount_canon(struct arena *a, const char *mount);
/* A --mount of type cache (or tmpfs too, with LINT_MOUNT_TMPFS) on dir or below it (as
 * hadolint compares), or only on dir itself (LINT_MOUNT_EXACT), or also on a directory
 * above it (LINT_MOUNT_ABOVE). A dir that starts with '*' is a path under any home
 * directory. */
enum { LINT_MOUNT_TMPFS = 1, LINT_MOUNT_ABOVE = 2, LINT_MOUNT_EXACT = 4 };
bool lint_cache_mount(struct lint_ctx *c, const struct df_inst *in, const char *dir, unsigned how);

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define RULE_RUN(name) \
	bool name(struct lint_ctx *c, const struct df_inst *in, const struct sh_script *s)
#define RULE_CHECK(name) void name(struct lint_ctx *c, struct df_inst *const *v, size_t n)

/* rules_run.c */
RULE_RUN(dl3001);
RULE_RUN(dl3003);
RULE_RUN(dl3004);
RULE_RUN(dl3008);
RULE_RUN(dl3013);
RULE_RUN(dl3014);
RULE_RUN(dl3015);
RULE_RUN(dl3016);
RULE_RUN(dl3018);
RULE_RUN(dl3019);
RULE_RUN(dl3027);
RULE_RUN(dl3028);
RULE_RUN(dl3030);
RULE_RUN(dl3032);
RULE_RUN(dl3033);
RULE_RUN(dl3034);
RULE_RUN(dl3035);
RULE_RUN(dl3036);
RULE_RUN(dl3037);
RULE_RUN(dl3038);
RULE_RUN(dl3040);
RULE_RUN(dl3041);
RULE_RUN(dl3046);
RULE_RUN(dl3047);
RULE_RUN(dl3062);
RULE_RUN(dl4005);
/* rules_inst.c */
RULE_CHECK(dl1001);
RULE_CHECK(dl3000);
RULE_CHECK(dl3002);
RULE_CHECK(dl3006);
RULE_CHECK(dl3007);
RULE_CHECK(dl3011);
RULE_CHECK(dl3012);
RULE_CHECK(dl3020);
RULE_CHECK(dl3021);
RULE_CHECK(dl3022);
RULE_CHECK(dl3023);
RULE_CHECK(dl3024);
RULE_CHECK(dl3025);
RULE_CHECK(dl3026);
RULE_CHECK(dl3029);
RULE_CHECK(dl3043);
RULE_CHECK(dl3044);
RULE_CHECK(dl3061);
RULE_CHECK(dl3063);
RULE_CHECK(dl3064);
RULE_CHECK(dl3065);
RULE_CHECK(dl3066);
RULE_CHECK(dl3067);
RULE_CHECK(dl4000);
RULE_CHECK(dl4003);
RULE_CHECK(dl4004);
/* rules_stage.c */
RULE_CHECK(dl3009);
RULE_CHECK(dl3010);
RULE_CHECK(dl3042);
RULE_CHECK(dl3045);
RULE_CHECK(dl3057);
RULE_CHECK(dl3059);
RULE_CHECK(dl3060);
RULE_CHECK(dl4001);
RULE_CHECK(dl4006);
/* rules_label.c */
RULE_CHECK(dl3048);
RULE_CHECK(dl3049);
RULE_CHECK(dl3050);
RULE_CHECK(dl3051);
RULE_CHECK(dl3052);
RULE_CHECK(dl3053);
RULE_CHECK(dl3054);
RULE_CHECK(dl3055);
RULE_CHECK(dl3056);
RULE_CHECK(dl3058);
/* rules_hull.c: hull's own rules */
RULE_CHECK(hl1001);
RULE_CHECK(hl1002);
RULE_CHECK(hl1003);
RULE_CHECK(hl1004);
RULE_CHECK(hl1005);
RULE_CHECK(hl1006);
RULE_CHECK(hl1007);
RULE_CHECK(hl1008);
RULE_CHECK(hl1009);
RULE_CHECK(hl1010);

#endif
