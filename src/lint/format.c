/* Output formats of hull lint, shaped as hadolint writes them: tty, json, checkstyle,
 * codeclimate, gitlab_codeclimate, gnu, sarif, sonarqube, junit and codacy. One renderer
 * per entry. */
#include "lint.h"

#include "../util/hash.h"
#include "version.h"

#include <string.h>
#include <time.h>

typedef void (*render_fn)(const struct hull_lint_result *res, bool color, struct strbuf *out);

static void json_str(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	strbuf_add_json_escaped(sb, s);
	strbuf_addch(sb, '"');
}

/* The file a report names: --file-path-in-report's, for the formats that take it. */
static const char *report_file(const struct hull_lint_result *res,
			       const struct hull_lint_finding *f)
{
	return res->file_in_report ? res->file_in_report : f->file;
}

static void render_tty(const struct hull_lint_result *res, bool color, struct strbuf *out)
{
	static const char *const colors[] = {"\033[1;31m", "\033[1;33m", "\033[1;32m",
					     "\033[1;36m"};
	for (size_t i = 0; i < res->n; i++) {
		const struct hull_lint_finding *f = &res->v[i];
		const char *sev = hull_lint_sev_name(f->sev);
		if (hull_lint_parse_error(f)) { /* hadolint: the position, then the error */
			strbuf_addf(out, "%s:%d:%d %s\n", f->file, f->line, f->col, f->msg);
			continue;
		}
		strbuf_addf(out, "%s:%d %s ", f->file, f->line, f->code);
		if (color && f->sev <= HULL_LINT_STYLE)
			strbuf_addf(out, "%s%s\033[0m", colors[f->sev], sev);
		else
			strbuf_adds(out, sev);
		strbuf_addf(out, ": %s\n", f->msg);
	}
}

/* A decimal int without printf: the JSON format writes two per finding. */
static void add_int(struct strbuf *out, int v)
{
	char tmp[12], *p = tmp + sizeof(tmp);
	unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	strbuf_add(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void render_json(const struct hull_lint_result *res, bool color, struct strbuf *out)
{
	(void)color;
	strbuf_addch(out, '[');
	for (size_t i = 0; i < res->n; i++) {
		const struct hull_lint_finding *f = &res->v[i];
		strbuf_adds(out, i ? ",{\"code\":" : "{\"code\":");
		json_str(out, f->code);
		strbuf_adds(out, ",\"column\":");
		add_int(out, f->col);
		strbuf_adds(out, ",\"file\":");
		json_str(out, f->file);
		strbuf_adds(out, ",\"level\":");
		json_str(out, hull_lint_sev_name(f->sev));
		strbuf_adds(out, ",\"line\":");
		add_int(out, f->line);
		strbuf_adds(out, ",\"message\":");
		json_str(out, f->msg);
		strbuf_addch(out, '}');
	}
	strbuf_adds(out, "]\n");
}

/* Calls each() for every file of the run in order (res->files, clean ones too), then for
 * the findings of files not listed there, grouped by name. */
typedef void each_file_fn(const struct hull_lint_result *res, const char *file,
			  const struct hull_lint_finding *v, size_t n, struct strbuf *out);

static void per_file(const struct hull_lint_result *res, struct strbuf *out, each_file_fn *each)
{
	size_t i = 0;
	for (size_t k = 0; k < res->nfiles; k++) {
		size_t from = i;
		while (i < res->n && res->v[i].file == res->files[k])
			i++;
		each(res, res->files[k], res->v + from, i - from, out);
	}
	while (i < res->n) {
		size_t from = i++;
		while (i < res->n && streq(res->v[i].file, res->v[from].file))
			i++;
		each(res, res->v[from].file, res->v + from, i - from, out);
	}
}

/* hadolint 2.15.1's checkstyle, written as its XML library writes it: a <file> per file
 * (an empty one for a clean file), attributes in name order, double quotes; a syntax
 * error (DL1000) has no source. */
static void checkstyle_file(const struct hull_lint_result *res, const char *file,
			    const struct hull_lint_finding *v, size_t n, struct strbuf *out)
{
	strbuf_adds(out, "<file name=\"");
	strbuf_add_xml_escaped(out, res->file_in_report ? res->file_in_report : file);
	if (!n) {
		strbuf_adds(out, "\"/>");
		return;
	}
	strbuf_adds(out, "\">");
	for (size_t i = 0; i < n; i++) {
		const struct hull_lint_finding *f = &v[i];
		strbuf_addf(out, "<error column=\"%d\" line=\"%d\" message=\"", f->col, f->line);
		strbuf_add_xml_escaped(out, f->msg);
		strbuf_addf(out, "\" severity=\"%s\"", hull_lint_sev_name(f->sev));
		if (!hull_lint_parse_error(f)) {
			strbuf_adds(out, " source=\"");
			strbuf_add_xml_escaped(out, f->code);
			strbuf_addch(out, '"');
		}
		strbuf_adds(out, "/>");
	}
	strbuf_adds(out, "</file>");
}

static void render_checkstyle(const struct hull_lint_result *res, bool color, struct strbuf *out)
{
	(void)color;
	strbuf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><checkstyle version=\"4.3\">");
	per_file(res, out, checkstyle_file);
	strbuf_adds(out, "</checkstyle>\n");
}

static const char *cc_severity(enum hull_lint_sev s)
{
	static const char *const v[] = {"blocker", "major", "info", "minor"};
	return s <= HULL_LINT_STYLE ? v[s] : "";
}

static void cc_issue(const struct hull_lint_finding *f, const char *file, bool fingerprint,
		     struct strbuf *out)
{
	strbuf_adds(out, "{\"type\":\"issue\",");
	if (fingerprint) {
		struct strbuf key = STRBUF_INIT;
		char dg[HULL_DIGEST_LEN + 1];
		strbuf_addf(&key, "%s\n%d\n%s\n%s", file, f->line, f->code, f->msg);
		hull_sha256_buf(key.buf, key.len, dg);
		strbuf_release(&key);
		strbuf_addf(out, "\"fingerprint\":\"%s\",", dg + 7);
	}
	strbuf_adds(out, "\"check_name\":");
	json_str(out, f->code);
	strbuf_adds(out, ",\"description\":");
	json_str(out, f->msg);
	strbuf_adds(out, ",\"categories\":[\"Bug Risk\"],\"location\":{\"path\":");
	json_str(out, file);
	strbuf_addf(out, ",\"lines\":{\"begin\":%d,\"end\":%d}},\"severity\":\"%s\"}", f->line,
		    f->line, cc_severity(f->sev));
}

/* Code Climate: one issue per record, each followed by a NUL byte. */
static void render_codeclimate(const struct hull_lint_result *res, bool color, struct strbuf *out)
{
	(void)color;
	for (size_t i = 0; i < res->n; i++) {
		cc_issue(&res->v[i], report_file(res, &res->v[i]), false, out);
		strbuf_add(out, "", 1);
	}
}

static void render_gitlab(const struct hull_lint_result *res, bool color, struct strbuf *out)
{
	(void)color;
	strbuf_addch(out, '[');
	for (size_t i = 0; i < res->n; i++) {
		if (i)
			strbuf_addch(out, ',');
		cc_issue(&res->v[i], report_file(res, &res->v[i]), true, out);
	}
	strbuf_adds(out, "]\n");
}

static void render_gnu(const struct hull_lint_result *res, bool color, struct strbuf *out)
{
	(void)color;
	for (size_t i = 0; i < res->n; i++) {
		const struct hull_lint_finding *f = &res->v[i];
		if (hull_lint_parse_error(f)) /* hadolint: GNU's FILE:LINE:COLUMN: message */
			strbuf_addf(out, "hadolint:%s:%d:%d: %s\n", f->file, f->line, f->col,
				    f->msg);
		else
			strbuf_addf(out, "hadolint:%s:%d: %s %s: %s\n", f->file, f->line, f->code,
				    hull_lint_sev_name(f->sev), f->msg);
	}
}

static const char *sarif_level(enum hull_lint_sev s)
{
	return s == HULL_LINT_ERROR ? "error" : s == HULL_LINT_WARNING ? "warning" : "note";
}

static void render_sarif(const struct hull_lint_result *res, bool color, struct strbuf *out)
{
	(void)color;
	strbuf_adds(out,
		    "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
		    "\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"hull\","
		    "\"fullName\":\"hull lint (hadolint-compatible)\",\"version\":\"" HULL_VERSION
		    "\",\"informationUri\":\"https://github.com/hadolint/hadolint\","
		    "\"rules\":[");
	const struct hull_lint_rule_info *rules;
	size_t nr = hull_lint_rules(&rules);
	for (size_t i = 0; i < nr; i++) {
		strbuf_adds(out, i ? ",{\"id\":" : "{\"id\":");
		json_str(out, rules[i].code);
		strbuf_adds(out, ",\"shortDescription\":{\"text\":");
		json_str(out, rules[i].msg);
		strbuf_addf(out, "},\"helpUri\":\"https://github.com/hadolint/hadolint/wiki/%s\"}",
			    rules[i].code);
	}
	strbuf_adds(out, "]}},\"results\":[");
	for (size_t i = 0; i < res->n; i++) {
		const struct hull_lint_finding *f = &res->v[i];
		strbuf_adds(out, i ? ",{\"ruleId\":" : "{\"ruleId\":");
		json_str(out, f->code);
		strbuf_addf(out, ",\"level\":\"%s\",\"message\":{\"text\":", sarif_level(f->sev));
		json_str(out, f->msg);
		strbuf_adds(out, "},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
				 "{\"uri\":");
		json_str(out, f->file);
		/* hadolint's region: one line, the column, and the language of the finding */
		int line = f->line > 0 ? f->line : 1, col = f->col > 0 ? f->col : 1;
		strbuf_addf(out,
			    "},\"region\":{\"startLine\":%d,\"endLine\":%d,\"startColumn\":%d,"
			    "\"endColumn\":%d,\"sourceLanguage\":\"%s\"}}}]}",
			    line, line, col, col, strncmp(f->code, "SC", 2) ? "dockerfile" : "sh");
	}
	strbuf_adds(out, "],\"defaultSourceLanguage\":\"dockerfile\"}]}\n");
}

static void render_sonarqube(const struct hull_lint_result *res, bool color, struct strbuf *out)
{
	(void)color;
	static const char *const sev[] = {"CRITICAL", "MAJOR", "MINOR", "INFO"};
	strbuf_adds(out, "{\"issues\":[");
	for (size_t i = 0; i < res->n; i++) {
		const struct hull_lint_finding *f = &res->v[i];
		strbuf_adds(out, i ? ",{\"engineId\":\"Hadolint\",\"ruleId\":"
				   : "{\"engineId\":\"Hadolint\",\"ruleId\":");
		json_str(out, f->code);
		/* hadolint: a file that does not parse is a BLOCKER at the error's column */
		bool parse = hull_lint_parse_error(f);
		strbuf_addf(out,
			    ",\"severity\":\"%s\",\"type\":\"%s\",\"primaryLocation\":{"
			    "\"message\":",
			    parse			? "BLOCKER"
			    : f->sev <= HULL_LINT_STYLE ? sev[f->sev]
							: "INFO",
			    f->sev == HULL_LINT_ERROR ? "BUG" : "CODE_SMELL");
		json_str(out, f->msg);
		strbuf_adds(out, ",\"filePath\":");
		json_str(out, report_file(res, f));
		strbuf_addf(out,
			    ",\"textRange\":{\"startLine\":%d,\"endLine\":%d,\"startColumn\":%d,"
			    "\"endColumn\":%d}}}",
			    f->line, f->line, parse ? f->col : 0, parse ? f->col : 1);
	}
	strbuf_adds(out, "]}\n");
}

/* hadolint's JUnit XML: a testsuite per file (clean ones too, when res->files is set),
 * a testcase per finding; a syntax error (DL1000) is an error, not a failure. Attributes
 * in name order, as hadolint's XML writer puts them. */
static void junit_case(const struct hull_lint_finding *f, const char *file, struct strbuf *out)
{
	const char *sev = hull_lint_sev_name(f->sev);
	bool parse = hull_lint_parse_error(f);
	if (parse) {
		strbuf_adds(out, "<testcase id=\"hadolint.error\" name=\"DL1000\" time=\"0.001\">");
		strbuf_addf(out,
			    "<failure message=\"parse error at line %d, column %d\" "
			    "type=\"error\">Parse Error in ",
			    f->line, f->col);
		strbuf_add_xml_escaped(out, file);
		strbuf_addf(out, "\nLine: %d\nColumn: %d\nParse Error: ", f->line, f->col);
		strbuf_add_xml_escaped(out, f->msg);
		strbuf_adds(out, "\n</failure></testcase>");
		return;
	}
	strbuf_adds(out, "<testcase id=\"hadolint.rule.");
	strbuf_add_xml_escaped(out, f->code);
	strbuf_adds(out, "\" time=\"0.001\"><failure id=\"");
	strbuf_add_xml_escaped(out, f->code);
	strbuf_adds(out, "\" message=\"");
	strbuf_add_xml_escaped(out, f->msg);
	strbuf_addf(out, "\" type=\"%s\">File: ", sev);
	strbuf_add_xml_escaped(out, file);
	strbuf_addf(out,
		    "\nLine: %d\nCategory: Hadolint - Dockerfile Static Analysis\n%s: ", f->line,
		    sev);
	strbuf_add_xml_escaped(out, f->msg);
	strbuf_adds(out, "\n</failure></testcase>");
}

static void junit_suite(const struct hull_lint_result *res, const char *file,
			const struct hull_lint_finding *v, size_t n, struct strbuf *out)
{
	(void)file;
	size_t errors = 0;
	for (size_t i = 0; i < n; i++)
		errors += hull_lint_parse_error(&v[i]);
	strbuf_addf(out,
		    "<testsuite errors=\"%zu\" failures=\"%zu\" id=\"hadolint\" "
		    "name=\"Hadolint %s\" time=\"0.001\">",
		    errors, n, HULL_VERSION);
	for (size_t i = 0; i < n; i++)
		junit_case(&v[i], report_file(res, &v[i]), out);
	strbuf_adds(out, "</testsuite>");
}

static void render_junit(const struct hull_lint_result *res, bool color, struct strbuf *out)
{
	(void)color;
	time_t now = time(NULL);
	struct tm tm;
	char id[32] = "", name[64] = "";
	if (gmtime_r(&now, &tm)) {
		strftime(id, sizeof(id), "%Y%m%d_%H%M%S", &tm);
		strftime(name, sizeof(name), "Hadolint run at %Y-%m-%d %H:%M:%S", &tm);
	}
	strbuf_addf(out,
		    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><testsuites id=\"%s\" "
		    "name=\"%s\" time=\"0.001\">",
		    id, name);
	per_file(res, out, junit_suite);
	strbuf_adds(out, "</testsuites>\n");
}

/* Codacy: a JSON object per line and finding. */
static void render_codacy(const struct hull_lint_result *res, bool color, struct strbuf *out)
{
	(void)color;
	for (size_t i = 0; i < res->n; i++) {
		const struct hull_lint_finding *f = &res->v[i];
		strbuf_adds(out, "{\"filename\":");
		json_str(out, f->file);
		strbuf_adds(out, ",\"line\":");
		add_int(out, f->line);
		strbuf_adds(out, ",\"message\":");
		json_str(out, f->msg);
		strbuf_adds(out, ",\"patternId\":");
		json_str(out, f->code);
		strbuf_adds(out, "}\n");
	}
}

static const struct {
	const char *name;
	render_fn fn;
} formats[] = {
	{"tty", render_tty},
	{"json", render_json},
	{"checkstyle", render_checkstyle},
	{"codeclimate", render_codeclimate},
	{"gitlab_codeclimate", render_gitlab},
	{"gnu", render_gnu},
	{"sarif", render_sarif},
	{"sonarqube", render_sonarqube},
	{"junit", render_junit},
	{"codacy", render_codacy},
};

bool hull_lint_format_known(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (!strcmp(formats[i].name, name))
			return true;
	return false;
}

int hull_lint_render(const char *format, const struct hull_lint_result *res, bool color,
		     struct strbuf *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (!strcmp(formats[i].name, format ? format : "tty")) {
			formats[i].fn(res, color, out);
			return 0;
		}
	return HULL_EUSAGE;
}
