/* Names of the recorded formats the replay collector reads. */
#include <errno.h>
#include <string.h>

#include "replay.h"

static const struct {
	const char *name;
	enum replay_format format;
} formats[] = {
	{"auto", REPLAY_FMT_AUTO},
	{"runqlen", REPLAY_FMT_RUNQLEN},
	{"opensnoop", REPLAY_FMT_OPENSNOOP},
	{"biosnoop", REPLAY_FMT_BIOSNOOP},
	{"biosnoop5", REPLAY_FMT_BIOSNOOP5},
	{"runqlen-csv", REPLAY_FMT_CSV},
	{"opensnoop-jsonl", REPLAY_FMT_JSONL},
};

int replay_format_parse(const char *name, enum replay_format *out)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (!strcmp(name, formats[i].name)) {
			*out = formats[i].format;
			return 0;
		}
	}
	return -EINVAL;
}

const char *replay_format_name(enum replay_format f)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].format == f)
			return formats[i].name;
	return "auto";
}

const char *replay_format_names(void)
{
	return "auto, runqlen, opensnoop, biosnoop, biosnoop5, runqlen-csv, opensnoop-jsonl";
}
