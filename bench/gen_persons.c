/*
 * gen_persons.c — write a persons CSV for `yibao import persons` (SPEC P5)
 * to stdout: N rows of realistic, valid and mutually unique persons.
 *
 *   gen_persons N [--seed S] [--employer CODE] [--bad-every K]
 *
 * Uniqueness without remembering what was written: the i-th row's ID
 * number and SSN are images of i under affine permutations
 * (j = a·i + b mod M, with a coprime to M) of the whole space of ID
 * numbers (9 Shenzhen districts × birth dates 1940–2019 × 1000 sequence
 * numbers) and of 9-digit SSNs 100000000–599999999.  Distinct i give
 * distinct j, so a million rows are unique with no table, and the seed
 * moves b to make another, equally unique, population.  Check characters
 * come from core's yb_idnum_check_char (U2).
 *
 * --bad-every K spoils every K-th row in turn: a wrong check character, a
 * repeated SSN, an unknown scheme, a malformed SSN, an empty name, so the
 * import's per-row report can be tested; the count goes to stderr.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/idnum.h"

static const char *const districts[] = {
	"440303", "440304", "440305", "440306", "440307", "440308",
	"440309", "440310", "440311",
};
#define NDISTRICTS (sizeof districts / sizeof districts[0])

static const char *const surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
	"马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋",
	"唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁",
	"潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
	"欧阳", "司马",
};

static const char *const given[] = {
	"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
	"杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华",
	"建", "国", "志", "文", "红", "玉", "兰", "辉", "鹏", "飞", "宇", "浩",
	"婷", "雪", "琳", "晨", "欣", "怡", "佳", "俊", "子", "梓", "涵", "轩",
	"博", "思", "雨", "嘉", "昊", "然", "宁", "海", "林", "峰", "慧", "颖",
};

#define NELEM(a) (sizeof (a) / sizeof (a)[0])

/* SplitMix64: small, fast and good enough to pick names. */
static uint64_t splitmix(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static void usage(void)
{
	fputs("usage: gen_persons N [--seed S] [--employer CODE] [--bad-every K]\n"
	      "\n"
	      "Write N valid, unique persons as CSV (ssn,id_number,name,scheme\n"
	      "[,employer_code]) to stdout for 'yibao import persons'.\n"
	      "--bad-every K spoils every K-th row (for the rejection report).\n"
	      "\n"
	      "Example:\n"
	      "  gen_persons 1000000 --seed 7 > persons.csv\n", stderr);
	exit(2);
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	*out = strtoull(s, &end, 10);
	return *end == '\0';
}

int main(int argc, char **argv)
{
	uint64_t n = 0, seed = 1, bad_every = 0;
	const char *employer = NULL;
	bool have_n = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			if (!parse_u64(argv[++i], &seed))
				usage();
		} else if (strcmp(argv[i], "--employer") == 0 && i + 1 < argc) {
			employer = argv[++i];
		} else if (strcmp(argv[i], "--bad-every") == 0 && i + 1 < argc) {
			if (!parse_u64(argv[++i], &bad_every) || bad_every < 2)
				usage();
		} else if (!have_n && parse_u64(argv[i], &n)) {
			have_n = true;
		} else {
			usage();
		}
	}
	if (!have_n)
		usage();

	const yb_date first_day = yb_date_from_ymd(1940, 1, 1);
	const uint64_t ndays = (uint64_t)(yb_date_from_ymd(2020, 1, 1) - first_day);
	/* M = 9 · 29219 · 1000 = 2^3 · 3^2 · 5^3 · 61 · 479; the prime
	 * multiplier below shares no factor with it. */
	const uint64_t id_space = NDISTRICTS * ndays * 1000;
	const uint64_t id_mul = UINT64_C(2654435761) % id_space;
	const uint64_t ssn_space = 500000000;    /* 2^8 · 5^9 */
	const uint64_t ssn_mul = 1000003;        /* prime */
	uint64_t st = seed;
	const uint64_t id_off = splitmix(&st) % id_space;
	const uint64_t ssn_off = splitmix(&st) % ssn_space;
	uint64_t nbad = 0;
	char prev_ssn[16] = "";

	if (n > id_space || n > ssn_space) {
		fprintf(stderr, "gen_persons: at most %llu rows\n",
			(unsigned long long)ssn_space);
		return 2;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	fputs(employer ? "ssn,id_number,name,scheme,employer_code\n"
		       : "ssn,id_number,name,scheme\n", stdout);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t j = (id_mul * i + id_off) % id_space;
		uint64_t seq = j % 1000, day = (j / 1000) % ndays,
			 district = j / 1000 / ndays;
		char ssn[16], id[24], name[64];
		int y, m, d;
		uint64_t r = seed ^ (i * UINT64_C(0xD6E8FEB86659FD93));
		const char *scheme;

		snprintf(ssn, sizeof ssn, "%llu", (unsigned long long)
			 (100000000 + (ssn_mul * i + ssn_off) % ssn_space));
		yb_date_to_ymd(first_day + (yb_date)day, &y, &m, &d);
		snprintf(id, sizeof id, "%s%04d%02d%02d%03u", districts[district],
			 y, m, d, (unsigned)seq);
		id[17] = yb_idnum_check_char(id);
		id[18] = '\0';

		uint64_t pick = splitmix(&r);
		snprintf(name, sizeof name, "%s%s%s",
			 surnames[pick % NELEM(surnames)],
			 given[(pick >> 8) % NELEM(given)],
			 (pick >> 16) % 3 ? given[(pick >> 24) % NELEM(given)] : "");
		uint64_t s = (pick >> 32) % 100;
		scheme = s < 70 ? "employee_tier1" : s < 80 ? "employee_tier2"
							     : "resident";

		if (bad_every && i % bad_every == bad_every - 1) {
			switch ((i / bad_every) % 5) {
			case 0: /* a check character that does not match */
				id[17] = id[17] == '0' ? '1' : '0';
				break;
			case 1: /* the SSN of the row before */
				snprintf(ssn, sizeof ssn, "%s", prev_ssn);
				break;
			case 2:
				scheme = "employee_tier3";
				break;
			case 3: /* too short for an SSN (U3) */
				ssn[5] = '\0';
				break;
			case 4:
				name[0] = '\0';
				break;
			}
			nbad++;
		}
		if (employer)
			printf("%s,%s,%s,%s,%s\n", ssn, id, name, scheme, employer);
		else
			printf("%s,%s,%s,%s\n", ssn, id, name, scheme);
		snprintf(prev_ssn, sizeof prev_ssn, "%s", ssn);
	}
	if (fflush(stdout) != 0) {
		perror("gen_persons");
		return 1;
	}
	if (bad_every)
		fprintf(stderr, "gen_persons: %llu rows, %llu spoiled\n",
			(unsigned long long)n, (unsigned long long)nbad);
	return 0;
}
