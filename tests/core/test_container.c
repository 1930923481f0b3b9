/* cgroup path -> container recognition, for every layout users meet and hostile ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "container.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define UID "6b7c1e0a-2f4d-4e5a-9b8c-0d1e2f3a4b5c"
#define UID_ "6b7c1e0a_2f4d_4e5a_9b8c_0d1e2f3a4b5c"

struct row {
	const char *path;
	const char *runtime; /* NULL: not a container */
	const char *id, *pod, *name;
};

static const struct row rows[] = {
	/* Docker, systemd and cgroupfs drivers, docker in docker */
	{"/system.slice/docker-" ID ".scope", "docker", ID, NULL, NULL},
	{"/docker/" ID, "docker", ID, NULL, NULL},
	{"/docker/" ID "/docker/" ID2, "docker", ID2, NULL, NULL},
	/* containerd and CRI */
	{"/system.slice/cri-containerd-" ID ".scope", "containerd", ID, NULL, NULL},
	{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	 "containerd", ID, UID, NULL},
	{"/kubepods-besteffort-pod" UID_ ".slice:cri-containerd:" ID, "containerd", ID, UID, NULL},
	{"/kubepods/burstable/pod" UID "/" ID, "kubernetes", ID, UID, NULL},
	{"/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope", "crio", ID, UID, NULL},
	/* CRI-O and Podman, with their monitors */
	{"/machine.slice/crio-" ID ".scope", "crio", ID, NULL, NULL},
	{"/machine.slice/crio-conmon-" ID ".scope", "crio-conmon", ID, NULL, NULL},
	{"/machine.slice/libpod-" ID ".scope", "podman", ID, NULL, NULL},
	{"/machine.slice/libpod-conmon-" ID ".scope", "podman-conmon", ID, NULL, NULL},
	{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope/container",
	 "podman", ID, NULL, NULL},
	{"/libpod_parent/libpod-" ID, "podman", ID, NULL, NULL},
	/* LXC and systemd services */
	{"/lxc.payload.web1", "lxc", "web1", NULL, "web1"},
	{"/lxc/db-2", "lxc", "db-2", NULL, "db-2"},
	{"/system.slice/nginx.service", "systemd", "nginx.service", NULL, "nginx"},
	{"/system.slice/docker-" ID ".scope/init.scope", "docker", ID, NULL, NULL},
	/* odd: truncated and upper-case ids match; extra suffixes and short ids do not */
	{"/system.slice/docker-0123456789AB.scope", "docker", "0123456789ab", NULL, NULL},
	{"/system.slice/docker-" ID ".scope.bak", NULL, NULL, NULL, NULL},
	{"/system.slice/docker-0123.scope", NULL, NULL, NULL, NULL},
	{"/system.slice/docker-" ID "0.scope", NULL, NULL, NULL, NULL},
	/* the host and plain cgroups */
	{"/", NULL, NULL, NULL, NULL},
	{"", NULL, NULL, NULL, NULL},
	{"/user.slice/user-1000.slice/session-3.scope", NULL, NULL, NULL, NULL},
	{"/process_api/fd172510109040daac9e849d962c262b", NULL, NULL, NULL, NULL},
	/* hostile: newlines, "..", non-hex, overlong names */
	{"/system.slice/docker-" ID ".scope\n/x", NULL, NULL, NULL, NULL},
	{"/system.slice/../docker/" ID, "docker", ID, NULL, NULL},
	{"/docker/../../etc/passwd", NULL, NULL, NULL, NULL},
	{"/system.slice/docker-$(reboot)0123456789ab.scope", NULL, NULL, NULL, NULL},
	{"/lxc.payload.a;b", NULL, NULL, NULL, NULL},
	{"/system.slice/x\n.service", NULL, NULL, NULL, NULL},
};

static void test_table(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct container_ref c;
		memset(&c, 0x55, sizeof(c));
		bool got = container_recognise(r->path, &c);
		if (got != (r->runtime != NULL))
			fail_msg("row %zu (%s): recognised %d", i, r->path, got);
		if (!got)
			continue;
		if (strcmp(c.runtime, r->runtime) || strcmp(c.id, r->id))
			fail_msg("row %zu (%s): got %s %s", i, r->path, c.runtime, c.id);
		if (strncmp(c.short_id, r->id, 12) || strlen(c.short_id) != (strlen(r->id) < 12 ? strlen(r->id) : 12))
			fail_msg("row %zu: short id %s", i, c.short_id);
		if (strcmp(c.pod_uid, r->pod ? r->pod : ""))
			fail_msg("row %zu: pod %s", i, c.pod_uid);
		if (strcmp(c.name, r->name ? r->name : ""))
			fail_msg("row %zu: name %s", i, c.name);
	}
}

static void test_long_path(void **st)
{
	(void)st;
	/* 64 KiB of components ending in a container: bounded work, no overflow. */
	static char path[70000];
	size_t off = 0;
	while (off < 65000)
		off += (size_t)snprintf(path + off, sizeof(path) - off, "/%s", "aaaaaaaaaaaaaaaaaaaaaaaa");
	snprintf(path + off, sizeof(path) - off, "/docker-%s.scope", ID);
	struct container_ref c;
	assert_true(container_recognise(path, &c));
	assert_string_equal(c.id, ID);
	memset(path, 'x', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_false(container_recognise(path, &c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_long_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
