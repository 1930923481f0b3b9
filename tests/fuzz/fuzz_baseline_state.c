/* libFuzzer target: the baseline model's state file reader. The input is decoded into a
 * model of the features the seed corpus was saved with (runqlen_hist's tails and stats),
 * and what loads is judged and encoded again, so a file that passes the reader must also
 * be safe to use. The checksum at the end is set right first (the unit tests check that a
 * wrong one is refused): otherwise almost no mutation would get past it into the parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bl_model.h"
#include "bl_state.h"

static const char *const names[] = {"log_ge1", "log_ge2", "log_ge3", "log_ge4", "mean",
				     "p50", "p90", "p99", "max", "waiting"};
#define N (sizeof(names) / sizeof(names[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_config cfg = {
		.learn_windows = 30, .halflife_ns = 86400ull * 1000000000u, .margin = 3,
		.min_scale = 0.01, .rel_scale = BL_REL_SCALE, .range_scale = BL_RANGE_SCALE,
		.log_unit = BL_LOG_UNIT, .tail = BL_TAIL, .threshold = 0.5, .max_keys = 8,
	};
	struct bl_model *m;
	char err[512];
	if (bl_model_new(&cfg, N, names, &m))
		return 0;
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf) {
		bl_model_free(m);
		return 0;
	}
	memcpy(buf, data, size);
	if (size >= 4) {
		uint32_t crc = (uint32_t)crc32(0, buf, (uInt)(size - 4));
		for (int i = 0; i < 4; i++)
			buf[size - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
	}
	if (bl_state_decode(m, buf, size, "fuzz", err, sizeof(err)) == 0) {
		double x[N] = {-1, -2, -2, -2, 0.5, 0, 1, 2, 3, 0.2};
		struct bl_departure top[3];
		struct bl_result r;
		struct bl_key *it = NULL;
		struct bl_key_state ks;
		char *keys[8];
		uint64_t last[8];
		size_t nk = 0;
		/* Names first: judging a key moves it to the front of the list walked here. */
		while (nk < 8 && bl_model_next_key(m, &it, &ks)) {
			last[nk] = ks.last_ns;
			keys[nk++] = strdup(ks.name);
		}
		for (size_t i = 0; i < nk; i++) {
			if (keys[i])
				bl_judge(m, keys[i], last[i], last[i] + 2000000000u, true, x, top, 3,
					 &r);
			free(keys[i]);
		}
		bl_judge(m, "new", 0, 2000000000u, true, x, top, 3, &r);
		uint8_t *out;
		size_t len;
		if (bl_state_encode(m, &out, &len) == 0)
			free(out);
	}
	free(buf);
	bl_model_free(m);
	return 0;
}
