/* What the NATS test needs from a client besides anomon: create a JetStream stream, and
 * count the messages it holds (by subject filter).
 *   nats_tool URL create STREAM SUBJECT
 *   nats_tool URL count STREAM */
#include <nats/nats.h>
#include <stdio.h>
#include <string.h>

static int die(const char *what, natsStatus s, jsErrCode e)
{
	fprintf(stderr, "nats_tool: %s: %s (jetstream error %d)\n", what, natsStatus_GetText(s), (int)e);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 4 || (strcmp(argv[2], "create") == 0 && argc < 5)) {
		fprintf(stderr, "usage: nats_tool URL create STREAM SUBJECT | URL count STREAM\n");
		return 2;
	}
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	jsErrCode e = 0;
	natsStatus s = natsConnection_ConnectTo(&nc, argv[1]);
	if (s != NATS_OK)
		return die("connect", s, 0);
	s = natsConnection_JetStream(&js, nc, NULL);
	if (s != NATS_OK)
		return die("jetstream", s, 0);
	jsStreamInfo *si = NULL;
	if (strcmp(argv[2], "create") == 0) {
		jsStreamConfig cfg;
		jsStreamConfig_Init(&cfg);
		const char *subjects[] = {argv[4]};
		cfg.Name = argv[3];
		cfg.Subjects = subjects;
		cfg.SubjectsLen = 1;
		cfg.Storage = js_FileStorage;
		s = js_AddStream(&si, js, &cfg, NULL, &e);
		if (s != NATS_OK)
			return die("add stream", s, e);
	} else {
		s = js_GetStreamInfo(&si, js, argv[3], NULL, &e);
		if (s != NATS_OK)
			return die("stream info", s, e);
		printf("%llu\n", (unsigned long long)si->State.Msgs);
	}
	jsStreamInfo_Destroy(si);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	return 0;
}
