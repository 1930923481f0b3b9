/* libFuzzer target: parameter values of every type from text and from JSON. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"

static const struct anomon_param table[] = {
	{"s", ANOMON_PARAM_STRING, "x", false, ""},
	{"i", ANOMON_PARAM_INT, "1", false, ""},
	{"n", ANOMON_PARAM_NUMBER, "0.5", false, ""},
	{"b", ANOMON_PARAM_BOOL, "true", false, ""},
	{"d", ANOMON_PARAM_DURATION, "10s", false, ""},
	{"z", ANOMON_PARAM_SIZE, "64M", false, ""},
	{"l", ANOMON_PARAM_LIST, "a,b", false, ""},
	{"p", ANOMON_PARAM_PATH, "f", false, ""},
	{NULL, 0, NULL, false, NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct param_values pv;
	char err[512];
	if (params_init(&pv, table, err, sizeof(err)) == 0) {
		json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
		for (size_t i = 0; i < pv.n; i++) {
			param_set_text(&pv.v[i], text, err, sizeof(err));
			if (j)
				param_set_json(&pv.v[i], j, err, sizeof(err));
			param_resolve_path(&pv.v[i], "/base");
		}
		json_decref(j);
		params_free(&pv);
	}
	free(text);
	return 0;
}
