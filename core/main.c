/* anomon: window-by-window anomaly verdicts for a Linux host and its containers. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "anomon_plugin.h"
#include "cli.h"
#include "log.h"
#include "cmd_train.h"

static const char usage[] =
	"usage: anomon COMMAND [OPTIONS]\n"
	"\n"
	"Watch a machine through eBPF and judge, window by window, whether the host and each\n"
	"container behave normally. A JSON pipeline wires plugins: collectors -> features ->\n"
	"models -> sinks.\n"
	"\n"
	"commands:\n"
	"  run [PIPELINE]        run a pipeline (without one, the built-in CPU pipeline)\n"
	"  validate [PIPELINE]   load and check a pipeline and its plugins; start nothing\n"
	"  record PIPELINE       run a pipeline and write its feature vectors as a labelled\n"
	"                        dataset (--label, --out)\n"
	"  train                 fit a model file from labelled datasets\n"
	"  eval                  score a model file on labelled datasets\n"
	"  plugins list          the plugins found, with kind and version (--json)\n"
	"  plugins info NAME     one plugin: parameters, event types, path\n"
	"  version               anomon and plugin ABI versions\n"
	"\n"
	"\"anomon COMMAND --help\" describes each command. Exit status: 0 success, 1 runtime\n"
	"failure, 2 usage or configuration error.\n";

int main(int argc, char **argv)
{
	/* Large buffers (libbpf parses the kernel's BTF, several MiB, once per lookup and per
	 * collector load) go back to the system when freed. glibc's default threshold grows
	 * after the first such free, which left later ones on the heap: 4-5 MiB more resident
	 * for the whole run. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("anomon %s (plugin ABI %d.%d)\n", ANOMON_VERSION, ANOMON_ABI_MAJOR,
		       ANOMON_ABI_MINOR);
		return 0;
	}
	if (!strcmp(cmd, "run") || !strcmp(cmd, "validate") || !strcmp(cmd, "record"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "plugins"))
		return cmd_plugins(argc - 1, argv + 1);
	if (!strcmp(cmd, "train"))
		return cmd_train(argc - 1, argv + 1);
	if (!strcmp(cmd, "eval"))
		return cmd_eval(argc - 1, argv + 1);
	log_error("unknown command \"%s\"; \"anomon --help\" lists the commands", cmd);
	return 2;
}
