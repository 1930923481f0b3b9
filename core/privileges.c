#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "log.h"
#include "privileges.h"

static int switch_user(const char *user)
{
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		log_error("--user %s: %s", user, errno ? strerror(errno) : "no such user");
		return -EINVAL;
	}
	/* Keep the permitted set across the uid change; it is trimmed right after. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		int err = errno;
		log_error("--user %s: cannot switch to uid %u: %s", user, (unsigned)pw->pw_uid,
			  strerror(err));
		return -err;
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return 0;
}

int privileges_drop(const char *user)
{
	if (user && switch_user(user) < 0)
		return -EPERM;
	cap_t caps = cap_init(); /* everything cleared */
	if (!caps)
		return -ENOMEM;
	const cap_value_t keep[] = {CAP_DAC_READ_SEARCH};
	cap_flag_value_t have = CAP_CLEAR;
	cap_t now = cap_get_proc();
	if (now) {
		cap_get_flag(now, CAP_DAC_READ_SEARCH, CAP_PERMITTED, &have);
		cap_free(now);
	}
	if (have == CAP_SET) {
		cap_set_flag(caps, CAP_PERMITTED, 1, keep, CAP_SET);
		cap_set_flag(caps, CAP_EFFECTIVE, 1, keep, CAP_SET);
	}
	int rc = cap_set_proc(caps) < 0 ? -errno : 0;
	cap_free(caps);
	if (rc < 0) {
		log_error("cannot drop capabilities: %s", strerror(-rc));
		return rc;
	}
	/* Nothing we exec (no plugin should) can gain privileges back. */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	log_info("running%s%s with only CAP_DAC_READ_SEARCH", user ? " as " : "", user ? user : "");
	return 0;
}
