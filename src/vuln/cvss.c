/* CVSS v3.x base scores and v4.0 scores, written from FIRST's specification documents
 * (v3.1 section 7, v4.0 section 8) and its MacroVector table. */
#include "cvss.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#define MAX_METRICS 32

struct metric {
	const char *name;
	const char *const *values; /* allowed values, NULL-terminated */
	bool base;		   /* mandatory */
};

/* A parsed vector: for each metric of the version, the index of its value, or -1. */
struct vec {
	const struct metric *defs;
	size_t ndefs;
	int val[MAX_METRICS];
};

#define V(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct metric v3_metrics[] = {
	{"AV", V("N", "A", "L", "P"), true},
	{"AC", V("L", "H"), true},
	{"PR", V("N", "L", "H"), true},
	{"UI", V("N", "R"), true},
	{"S", V("U", "C"), true},
	{"C", V("H", "L", "N"), true},
	{"I", V("H", "L", "N"), true},
	{"A", V("H", "L", "N"), true},
	{"E", V("X", "U", "P", "F", "H"), false},
	{"RL", V("X", "O", "T", "W", "U"), false},
	{"RC", V("X", "U", "R", "C"), false},
	{"CR", V("X", "L", "M", "H"), false},
	{"IR", V("X", "L", "M", "H"), false},
	{"AR", V("X", "L", "M", "H"), false},
	{"MAV", V("X", "N", "A", "L", "P"), false},
	{"MAC", V("X", "L", "H"), false},
	{"MPR", V("X", "N", "L", "H"), false},
	{"MUI", V("X", "N", "R"), false},
	{"MS", V("X", "U", "C"), false},
	{"MC", V("X", "N", "L", "H"), false},
	{"MI", V("X", "N", "L", "H"), false},
	{"MA", V("X", "N", "L", "H"), false},
};

static const struct metric v4_metrics[] = {
	{"AV", V("N", "A", "L", "P"), true},
	{"AC", V("L", "H"), true},
	{"AT", V("N", "P"), true},
	{"PR", V("N", "L", "H"), true},
	{"UI", V("N", "P", "A"), true},
	{"VC", V("H", "L", "N"), true},
	{"VI", V("H", "L", "N"), true},
	{"VA", V("H", "L", "N"), true},
	{"SC", V("H", "L", "N"), true},
	{"SI", V("H", "L", "N"), true},
	{"SA", V("H", "L", "N"), true},
	{"E", V("X", "A", "P", "U"), false},
	{"CR", V("X", "H", "M", "L"), false},
	{"IR", V("X", "H", "M", "L"), false},
	{"AR", V("X", "H", "M", "L"), false},
	{"MAV", V("X", "N", "A", "L", "P"), false},
	{"MAC", V("X", "L", "H"), false},
	{"MAT", V("X", "N", "P"), false},
	{"MPR", V("X", "N", "L", "H"), false},
	{"MUI", V("X", "N", "P", "A"), false},
	{"MVC", V("X", "H", "L", "N"), false},
	{"MVI", V("X", "H", "L", "N"), false},
	{"MVA", V("X", "H", "L", "N"), false},
	{"MSC", V("X", "H", "L", "N"), false},
	{"MSI", V("X", "S", "H", "L", "N"), false},
	{"MSA", V("X", "S", "H", "L", "N"), false},
	{"S", V("X", "N", "P"), false},
	{"AU", V("X", "N", "Y"), false},
	{"R", V("X", "A", "U", "I"), false},
	{"V", V("X", "D", "C"), false},
	{"RE", V("X", "L", "M", "H"), false},
	{"U", V("X", "Clear", "Green", "Amber", "Red"), false},
};

static int find_metric(const struct vec *v, const char *name, size_t len)
{
	for (size_t i = 0; i < v->ndefs; i++)
		if (strlen(v->defs[i].name) == len && !memcmp(v->defs[i].name, name, len))
			return (int)i;
	return -1;
}

static int find_value(const struct metric *m, const char *s, size_t len)
{
	for (int i = 0; m->values[i]; i++)
		if (strlen(m->values[i]) == len && !memcmp(m->values[i], s, len))
			return i;
	return -1;
}

static int bad(struct hull_err *err, const char *vector, const char *why)
{
	return hull_err_set(err, HULL_EINPUT, "invalid CVSS vector \"%.*s\": %s", 100, vector, why);
}

/* Parses the "KEY:VAL/KEY:VAL" part after the version prefix. */
static int parse_metrics(struct vec *v, const char *vector, const char *p, struct hull_err *err)
{
	for (size_t i = 0; i < v->ndefs; i++)
		v->val[i] = -1;
	if (!*p)
		return bad(err, vector, "no metrics");
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *colon = memchr(p, ':', len);
		if (!colon)
			return bad(err, vector, "a metric without ':'");
		int m = find_metric(v, p, (size_t)(colon - p));
		if (m < 0)
			return bad(err, vector, "unknown metric");
		if (v->val[m] >= 0)
			return bad(err, vector, "a metric given twice");
		int idx = find_value(&v->defs[m], colon + 1, len - (size_t)(colon + 1 - p));
		if (idx < 0)
			return bad(err, vector, "invalid metric value");
		v->val[m] = idx;
		if (!end)
			break;
		p = end + 1;
		if (!*p)
			return bad(err, vector, "trailing '/'");
	}
	for (size_t i = 0; i < v->ndefs; i++)
		if (v->defs[i].base && v->val[i] < 0)
			return bad(err, vector, "a base metric is missing");
	return 0;
}

/* The value of metric name as a character ('X' when absent), for single-letter values. */
static char get(const struct vec *v, const char *name)
{
	int m = find_metric(v, name, strlen(name));
	if (m < 0 || v->val[m] < 0)
		return 'X';
	return v->defs[m].values[v->val[m]][0];
}

/* Math.round of JavaScript for the non-negative values used here: halves round up. */
static double js_round(double x)
{
	double r = floor(x);
	return x - r >= 0.5 ? r + 1 : r;
}

/* ---- CVSS v3.x (specification v3.1 section 7.1, appendix A for Roundup) ---- */

static double roundup31(double x)
{
	long long i = (long long)js_round(x * 100000);
	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (double)(i / 10000 + 1) / 10.0;
}

static double roundup30(double x)
{
	return ceil(x * 10) / 10;
}

static double v3_cia(char c)
{
	return c == 'H' ? 0.56 : c == 'L' ? 0.22 : 0;
}

static double v3_score(const struct vec *v, bool v31)
{
	bool changed = get(v, "S") == 'C';
	char av = get(v, "AV"), pr = get(v, "PR");
	double w_av = av == 'N' ? 0.85 : av == 'A' ? 0.62 : av == 'L' ? 0.55 : 0.2;
	double w_ac = get(v, "AC") == 'L' ? 0.77 : 0.44;
	double w_pr = pr == 'N'	  ? 0.85
		      : pr == 'L' ? (changed ? 0.68 : 0.62)
				  : (changed ? 0.5 : 0.27);
	double w_ui = get(v, "UI") == 'N' ? 0.85 : 0.62;
	double iss = 1 - ((1 - v3_cia(get(v, "C"))) * (1 - v3_cia(get(v, "I"))) *
			  (1 - v3_cia(get(v, "A"))));
	double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
	double expl = 8.22 * w_av * w_ac * w_pr * w_ui;
	if (impact <= 0)
		return 0;
	double raw = changed ? fmin(1.08 * (impact + expl), 10) : fmin(impact + expl, 10);
	return v31 ? roundup31(raw) : roundup30(raw);
}

/* ---- CVSS v4.0 (specification section 8: MacroVectors and interpolation) ---- */

/* Scores of the 270 MacroVectors in tenths, -1 where the combination cannot occur.
 * Indexed [EQ1][EQ2][EQ3] then EQ4 * 6 + EQ5 * 2 + EQ6. */
static const signed char macro_scores[3][2][3][18] = {
	{
		{
			/* 000 */ {100, 99, 98, 95, 95, 92, 100, 96, 93, 87, 91, 81, 93, 90, 89, 80,
				   81, 68},
			/* 001 */
			{98, 95, 95, 92, 90, 84, 93, 92, 89, 81, 81, 65, 88, 80, 78, 70, 69, 48},
			/* 002 */
			{-1, 92, -1, 82, -1, 72, -1, 79, -1, 69, -1, 50, -1, 69, -1, 55, -1, 27},
		},
		{
			/* 010 */ {99, 97, 95, 92, 92, 85, 95, 91, 90, 83, 84, 71, 92, 81, 82, 71,
				   72, 53},
			/* 011 */
			{95, 93, 92, 85, 85, 73, 92, 82, 80, 72, 70, 59, 84, 70, 71, 52, 50, 30},
			/* 012 */
			{-1, 86, -1, 75, -1, 52, -1, 71, -1, 52, -1, 29, -1, 63, -1, 29, -1, 17},
		},
	},
	{
		{
			/* 100 */ {98, 95, 94, 87, 91, 81, 94, 89, 86, 74, 77, 64, 87, 75, 74, 63,
				   63, 49},
			/* 101 */
			{94, 89, 88, 77, 76, 67, 86, 76, 74, 58, 59, 50, 72, 57, 57, 52, 52, 25},
			/* 102 */
			{-1, 83, -1, 70, -1, 54, -1, 65, -1, 58, -1, 26, -1, 53, -1, 21, -1, 13},
		},
		{
			/* 110 */ {95, 90, 88, 76, 76, 70, 90, 77, 75, 62, 61, 53, 77, 66, 68, 59,
				   52, 30},
			/* 111 */
			{89, 78, 76, 67, 62, 58, 74, 59, 57, 57, 47, 23, 61, 52, 57, 29, 24, 16},
			/* 112 */
			{-1, 71, -1, 59, -1, 30, -1, 58, -1, 26, -1, 15, -1, 23, -1, 13, -1, 6},
		},
	},
	{
		{
			/* 200 */ {93, 87, 86, 72, 75, 58, 86, 74, 74, 61, 56, 34, 70, 54, 52, 40,
				   40, 22},
			/* 201 */
			{85, 75, 74, 55, 62, 51, 72, 57, 55, 41, 46, 19, 53, 36, 34, 19, 19, 8},
			/* 202 */
			{-1, 64, -1, 51, -1, 20, -1, 47, -1, 21, -1, 11, -1, 24, -1, 9, -1, 4},
		},
		{
			/* 210 */ {88, 75, 73, 53, 60, 50, 73, 55, 59, 40, 41, 20, 54, 43, 45, 22,
				   20, 11},
			/* 211 */
			{75, 55, 58, 45, 40, 21, 61, 51, 48, 18, 20, 9, 46, 18, 17, 7, 8, 2},
			/* 212 */
			{-1, 53, -1, 24, -1, 14, -1, 24, -1, 12, -1, 5, -1, 10, -1, 3, -1, 1},
		},
	},
};

/* The metrics that severity distances are measured over, in the order the groups use. */
enum { AV, PR, UI, AC, AT, VC, VI, VA, SC, SI, SA, CR, IR, AR, E, NDIST };
static const char *const dist_names[NDIST] = {"AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA",
					      "SC", "SI", "SA", "CR", "IR", "AR", "E"};

/* The effective value of a v4.0 metric: an environmental "M…" metric overrides it, and E,
 * CR, IR, AR default to their worst case when not given. */
static char eff4(const struct vec *v, const char *name)
{
	char c = get(v, name);
	if (c == 'X') {
		if (!strcmp(name, "E"))
			return 'A';
		if (!strcmp(name, "CR") || !strcmp(name, "IR") || !strcmp(name, "AR"))
			return 'H';
	}
	char mod[8];
	snprintf(mod, sizeof(mod), "M%s", name);
	char m = get(v, mod);
	return m != 'X' ? m : c;
}

/* Severity level of a value, in steps of 0.1 (0 is the most severe). */
static double level(int metric, char c)
{
	static const struct {
		const char *vals;
		double first;
	} lv[NDIST] = {
		[AV] = {"NALP", 0}, [PR] = {"NLH", 0},	[UI] = {"NPA", 0},  [AC] = {"LH", 0},
		[AT] = {"NP", 0},   [VC] = {"HLN", 0},	[VI] = {"HLN", 0},  [VA] = {"HLN", 0},
		[SC] = {"HLN", 1},  [SI] = {"SHLN", 0}, [SA] = {"SHLN", 0}, [CR] = {"HML", 0},
		[IR] = {"HML", 0},  [AR] = {"HML", 0},	[E] = {"APU", 0},
	};
	static const double step[] = {0.0, 0.1, 0.2, 0.3};
	const char *p = strchr(lv[metric].vals, c);
	if (!p || !c)
		return 0;
	return step[(int)(p - lv[metric].vals) + (int)lv[metric].first];
}

/* The highest-severity vectors of each MacroVector group, as values of the group's metrics
 * in dist_names order. */
static const char *const max_eq1[3][4] = {{"NNN"}, {"ANN", "NLN", "NNP"}, {"PNN", "ALP"}};
static const char *const max_eq2[2][3] = {{"LN"}, {"HN", "LP"}};
static const char *const max_eq3[3][2][6] = {
	{{"HHHHHH"}, {"HHLMMH", "HHHMMM"}},
	{{"LHHHHH", "HLHHHH"}, {"LHLHMH", "LHHHMM", "HLHMHM", "HLLMHH", "LLHHHM"}},
	{{NULL}, {"LLLHHH"}},
};
static const char *const max_eq4[3][2] = {{"HSS"}, {"HHH"}, {"LLL"}};
static const char *const max_eq5[3][2] = {{"A"}, {"P"}, {"U"}};

/* Depth of each MacroVector group (its largest severity distance, plus one step). */
static const int depth_eq1[3] = {1, 4, 5};
static const int depth_eq2[2] = {1, 2};
static const int depth_eq3eq6[3][2] = {{7, 6}, {8, 8}, {0, 10}};
static const int depth_eq4[3] = {6, 5, 4};

/* MacroVector score, or NAN when it does not exist. */
static double macro(int e1, int e2, int e3, int e4, int e5, int e6)
{
	if (e1 > 2 || e2 > 1 || e3 > 2 || e4 > 2 || e5 > 2 || e6 > 1)
		return NAN;
	int s = macro_scores[e1][e2][e3][e4 * 6 + e5 * 2 + e6];
	return s < 0 ? NAN : s / 10.0;
}

static void v4_classes(const struct vec *v, int eq[6])
{
	char av = eff4(v, "AV"), pr = eff4(v, "PR"), ui = eff4(v, "UI");
	if (av == 'N' && pr == 'N' && ui == 'N')
		eq[0] = 0;
	else if ((av == 'N' || pr == 'N' || ui == 'N') && av != 'P')
		eq[0] = 1;
	else
		eq[0] = 2;
	eq[1] = eff4(v, "AC") == 'L' && eff4(v, "AT") == 'N' ? 0 : 1;
	char vc = eff4(v, "VC"), vi = eff4(v, "VI"), va = eff4(v, "VA");
	if (vc == 'H' && vi == 'H')
		eq[2] = 0;
	else if (vc == 'H' || vi == 'H' || va == 'H')
		eq[2] = 1;
	else
		eq[2] = 2;
	char msi = eff4(v, "MSI"), msa = eff4(v, "MSA");
	if (msi == 'S' || msa == 'S')
		eq[3] = 0;
	else if (eff4(v, "SC") == 'H' || eff4(v, "SI") == 'H' || eff4(v, "SA") == 'H')
		eq[3] = 1;
	else
		eq[3] = 2;
	char e = eff4(v, "E");
	eq[4] = e == 'A' ? 0 : e == 'P' ? 1 : 2;
	eq[5] = (eff4(v, "CR") == 'H' && vc == 'H') || (eff4(v, "IR") == 'H' && vi == 'H') ||
				(eff4(v, "AR") == 'H' && va == 'H')
			? 0
			: 1;
}

/* Severity distances of the vector from one highest-severity vector; true when none is
 * negative (the vector lies below it). */
static bool distances(const char eff[NDIST], const char *maxv[5], double d[NDIST])
{
	static const int first[5] = {AV, AC, VC, SC, E};
	static const int extra[3] = {CR, IR, AR};
	bool ok = true;
	for (int g = 0; g < 5; g++) {
		const char *s = maxv[g];
		for (int k = 0; s[k]; k++) {
			int m = g == 2 && k >= 3 ? extra[k - 3] : first[g] + k;
			d[m] = level(m, eff[m]) - level(m, s[k]);
			if (d[m] < 0)
				ok = false;
		}
	}
	return ok;
}

/* Finds the first composed highest-severity vector at or above the vector (as FIRST's
 * calculator iterates them) and fills d with the distances from it. */
static void max_distances(const char eff[NDIST], const int eq[6], double d[NDIST])
{
	const char *const *g1 = max_eq1[eq[0]], *const *g2 = max_eq2[eq[1]];
	const char *const *g3 = max_eq3[eq[2]][eq[5]], *const *g4 = max_eq4[eq[3]];
	const char *const *g5 = max_eq5[eq[4]];
	for (size_t a = 0; g1[a]; a++)
		for (size_t b = 0; g2[b]; b++)
			for (size_t c = 0; g3[c]; c++)
				for (size_t e = 0; g4[e]; e++)
					for (size_t f = 0; g5[f]; f++) {
						const char *mv[5] = {g1[a], g2[b], g3[c], g4[e],
								     g5[f]};
						if (distances(eff, mv, d))
							return;
					}
}

static double v4_score(const struct vec *v)
{
	static const char *const impact[] = {"VC", "VI", "VA", "SC", "SI", "SA"};
	bool none = true;
	for (size_t i = 0; i < ARRAY_SIZE(impact); i++)
		if (eff4(v, impact[i]) != 'N')
			none = false;
	if (none)
		return 0;
	int eq[6];
	v4_classes(v, eq);
	double value = macro(eq[0], eq[1], eq[2], eq[3], eq[4], eq[5]);
	if (isnan(value))
		return 0; /* cannot happen for a valid vector */

	/* The next lower MacroVector of each group; EQ3 and EQ6 move together. */
	double lower[5];
	lower[0] = macro(eq[0] + 1, eq[1], eq[2], eq[3], eq[4], eq[5]);
	lower[1] = macro(eq[0], eq[1] + 1, eq[2], eq[3], eq[4], eq[5]);
	if (eq[2] == 0 && eq[5] == 0) {
		double l = macro(eq[0], eq[1], eq[2], eq[3], eq[4], 1);
		double r = macro(eq[0], eq[1], 1, eq[3], eq[4], eq[5]);
		lower[2] = isnan(l) || isnan(r) ? NAN : fmax(l, r);
	} else if (eq[2] == 1 && eq[5] == 0) {
		lower[2] = macro(eq[0], eq[1], eq[2], eq[3], eq[4], 1);
	} else if (eq[2] <= 1) {
		lower[2] = macro(eq[0], eq[1], eq[2] + 1, eq[3], eq[4], eq[5]);
	} else {
		lower[2] = NAN;
	}
	lower[3] = macro(eq[0], eq[1], eq[2], eq[3] + 1, eq[4], eq[5]);
	lower[4] = macro(eq[0], eq[1], eq[2], eq[3], eq[4] + 1, eq[5]);

	char eff[NDIST];
	for (int m = 0; m < NDIST; m++)
		eff[m] = eff4(v, dist_names[m]);
	double d[NDIST] = {0};
	max_distances(eff, eq, d);
	double cur[5] = {
		d[AV] + d[PR] + d[UI],
		d[AC] + d[AT],
		d[VC] + d[VI] + d[VA] + d[CR] + d[IR] + d[AR],
		d[SC] + d[SI] + d[SA],
		0,
	};
	double depth[5] = {
		depth_eq1[eq[0]] * 0.1,
		depth_eq2[eq[1]] * 0.1,
		depth_eq3eq6[eq[2]][eq[5]] * 0.1,
		depth_eq4[eq[3]] * 0.1,
		1 * 0.1,
	};
	double sum = 0;
	int n = 0;
	for (int g = 0; g < 5; g++) {
		if (isnan(lower[g]))
			continue;
		n++;
		sum += (value - lower[g]) * (cur[g] / depth[g]);
	}
	double mean = n ? sum / n : 0;
	double s = fmax(0, fmin(10, value - mean));
	return js_round(s * 10) / 10;
}

/* ---- entry points ---- */

int hull_cvss_score(const char *vector, double *score, enum hull_cvss_version *version,
		    struct hull_err *err)
{
	if (!vector)
		return hull_err_set(err, HULL_EUSAGE, "no CVSS vector");
	if (strlen(vector) > HULL_CVSS_MAX_LEN)
		return bad(err, vector, "too long");
	struct vec v;
	enum hull_cvss_version ver;
	if (!strncmp(vector, "CVSS:3.0/", 9) || !strncmp(vector, "CVSS:3.1/", 9)) {
		ver = vector[7] == '1' ? HULL_CVSS_V31 : HULL_CVSS_V30;
		v.defs = v3_metrics;
		v.ndefs = ARRAY_SIZE(v3_metrics);
	} else if (!strncmp(vector, "CVSS:4.0/", 9)) {
		ver = HULL_CVSS_V40;
		v.defs = v4_metrics;
		v.ndefs = ARRAY_SIZE(v4_metrics);
	} else {
		return bad(err, vector, "not a CVSS:3.0, 3.1 or 4.0 vector");
	}
	int rc = parse_metrics(&v, vector, vector + 9, err);
	if (rc)
		return rc;
	*score = ver == HULL_CVSS_V40 ? v4_score(&v) : v3_score(&v, ver == HULL_CVSS_V31);
	if (version)
		*version = ver;
	return 0;
}

const char *hull_cvss_severity(double score)
{
	if (score >= 9.0)
		return "CRITICAL";
	if (score >= 7.0)
		return "HIGH";
	if (score >= 4.0)
		return "MEDIUM";
	if (score >= 0.1)
		return "LOW";
	return "UNKNOWN";
}
