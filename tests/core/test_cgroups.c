/* The cgroup id cache stays bounded: a flood of ids that name no cgroup (a replayed log
 * from another host, cgroups created faster than the sweep forgets them) never holds more
 * than CGROUPS_MAX entries, and evicts the least recently used ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroups.h"

static char root[64];

static int setup(void **st)
{
	(void)st;
	/* Not a cgroup2 mount: no id resolves, every lookup makes a "cgroup:<id>" entry. */
	snprintf(root, sizeof(root), "/tmp/anomon-cgroups-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	return cgroups_open(root);
}

static int teardown(void **st)
{
	(void)st;
	cgroups_close();
	rmdir(root);
	return 0;
}

static bool cached(uint64_t id)
{
	char key[64];
	snprintf(key, sizeof(key), "cgroup:%" PRIu64, id);
	return cgroups_by_key(key) != NULL;
}

static void test_bound(void **st)
{
	(void)st;
	const uint64_t n = 3 * CGROUPS_MAX, hot = 7;

	assert_int_equal(cgroups_cached(), 0);
	assert_string_equal(cgroups_lookup(0)->key, "host");
	assert_int_equal(cgroups_cached(), 0); /* the host is not an entry */
	for (uint64_t id = 1; id <= n; id++) {
		const struct cgroup_entry *e = cgroups_lookup(id);
		assert_int_equal(e->id, id);
		assert_false(e->resolved);
		if (id % 64 == 0)
			assert_int_equal(cgroups_lookup(hot)->id, hot); /* used all along */
		assert_true(cgroups_cached() <= CGROUPS_MAX);
	}
	assert_true(cgroups_evicted() >= n - CGROUPS_MAX);
	assert_true(cached(hot));
	assert_false(cached(1));
	assert_false(cached(n - CGROUPS_MAX));
	/* the most recent ids are all there */
	for (uint64_t id = n - CGROUPS_MAX / 4; id <= n; id++)
		assert_true(cached(id));
	/* an entry that was evicted comes back as a new one */
	assert_int_equal(cgroups_lookup(1)->id, 1);
	assert_true(cached(1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bound, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
