#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "container.h"

/* Hex container ids are 64 characters; accept shorter ones down to the 12 that users see,
 * folding upper case, so that truncated or upper-cased ids in odd layouts still match. */
static bool hex_id(const char *s, size_t len)
{
	if (len < 12 || len > CONTAINER_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool starts(const char *s, size_t len, const char *prefix, size_t *plen)
{
	*plen = strlen(prefix);
	return len >= *plen && memcmp(s, prefix, *plen) == 0;
}

static bool ends(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);
	return len >= sl && memcmp(s + len - sl, suffix, sl) == 0;
}

static void set_id(struct container_ref *c, const char *runtime, const char *id, size_t len)
{
	snprintf(c->runtime, sizeof(c->runtime), "%s", runtime);
	for (size_t i = 0; i < len; i++)
		c->id[i] = (char)tolower((unsigned char)id[i]);
	c->id[len] = '\0';
	snprintf(c->short_id, sizeof(c->short_id), "%.12s", c->id);
	c->name[0] = '\0';
}

/* Pod uids: 36 characters, dashed, or with underscores in systemd slice names. */
static bool pod_uid(const char *s, size_t len, char out[37])
{
	if (len != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		char ch = s[i] == '_' ? '-' : (char)tolower((unsigned char)s[i]);
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? ch != '-' : !isxdigit((unsigned char)ch))
			return false;
		out[i] = ch;
	}
	out[36] = '\0';
	return true;
}

static bool printable_name(const char *s, size_t len)
{
	if (len == 0 || len > CONTAINER_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.@:", s[i]))
			return false;
	return true;
}

struct runtime_scope {
	const char *prefix, *runtime;
};

/* systemd-driver scopes: PREFIX<id>.scope */
static const struct runtime_scope scopes[] = {
	{"docker-", "docker"},
	{"cri-containerd-", "containerd"},
	{"crio-conmon-", "crio-conmon"},
	{"crio-", "crio"},
	{"libpod-conmon-", "podman-conmon"},
	{"libpod-", "podman"},
};

/* One path component; prev is the component before it (for "/docker/<id>" forms). */
static bool component(const char *s, size_t len, const char *prev, size_t prev_len,
		      struct container_ref *c)
{
	size_t pl;
	if (ends(s, len, ".scope")) {
		for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
			if (starts(s, len, scopes[i].prefix, &pl) && hex_id(s + pl, len - pl - 6)) {
				set_id(c, scopes[i].runtime, s + pl, len - pl - 6);
				return true;
			}
		}
	}
	/* cgroupfs-driver Kubernetes and CRI: "...:cri-containerd:<id>" or ":crio:<id>". */
	const char *colon = memchr(s, ':', len);
	if (colon) {
		static const struct runtime_scope tags[] = {
			{":cri-containerd:", "containerd"}, {":crio:", "crio"}, {":docker:", "docker"}};
		for (size_t i = 0; i < 3; i++) {
			size_t tl = strlen(tags[i].prefix);
			size_t off = (size_t)(colon - s);
			if (len - off > tl && memcmp(colon, tags[i].prefix, tl) == 0 &&
			    hex_id(colon + tl, len - off - tl)) {
				set_id(c, tags[i].runtime, colon + tl, len - off - tl);
				return true;
			}
		}
	}
	/* "/docker/<id>", "/libpod_parent/libpod-<id>", and a bare id under a pod directory. */
	if (hex_id(s, len) && len == 64) {
		if (prev_len == 6 && memcmp(prev, "docker", 6) == 0)
			set_id(c, "docker", s, len);
		else if (prev_len >= 3 && memcmp(prev, "pod", 3) == 0)
			set_id(c, "kubernetes", s, len);
		else
			return false;
		return true;
	}
	if (starts(s, len, "libpod-", &pl) && hex_id(s + pl, len - pl)) {
		set_id(c, "podman", s + pl, len - pl);
		return true;
	}
	/* LXC: "lxc.payload.<name>" (LXC 4+), "/lxc/<name>"; the monitor is lxc.monitor.<name>. */
	if (starts(s, len, "lxc.payload.", &pl) && printable_name(s + pl, len - pl)) {
		set_id(c, "lxc", "", 0);
		snprintf(c->id, sizeof(c->id), "%.*s", (int)(len - pl), s + pl);
		snprintf(c->short_id, sizeof(c->short_id), "%.12s", c->id);
		snprintf(c->name, sizeof(c->name), "%s", c->id);
		return true;
	}
	if (prev_len == 3 && memcmp(prev, "lxc", 3) == 0 && printable_name(s, len)) {
		set_id(c, "lxc", "", 0);
		snprintf(c->id, sizeof(c->id), "%.*s", (int)len, s);
		snprintf(c->short_id, sizeof(c->short_id), "%.12s", c->id);
		snprintf(c->name, sizeof(c->name), "%s", c->id);
		return true;
	}
	return false;
}

/* A systemd service: "<name>.service", the deepest one. */
static bool service(const char *s, size_t len, struct container_ref *c)
{
	if (!ends(s, len, ".service") || !printable_name(s, len - 8))
		return false;
	set_id(c, "systemd", "", 0);
	snprintf(c->name, sizeof(c->name), "%.*s", (int)(len - 8), s);
	snprintf(c->id, sizeof(c->id), "%.*s", (int)len, s);
	snprintf(c->short_id, sizeof(c->short_id), "%.12s", c->id);
	return true;
}

bool container_recognise(const char *path, struct container_ref *out)
{
	struct container_ref found = {0}, svc = {0};
	bool have = false, have_svc = false;
	char pod[37] = "";
	const char *prev = "";
	size_t prev_len = 0;
	for (const char *p = path; p && *p;) {
		while (*p == '/')
			p++;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0)
			break;
		size_t pl;
		/* Pods: kubepods[-qos]-pod<uid>.slice (systemd) or pod<uid> (cgroupfs). */
		if (starts(p, len, "kubepods", &pl)) {
			const char *pos = NULL;
			for (size_t i = 0; i + 3 < len; i++)
				if (memcmp(p + i, "-pod", 4) == 0)
					pos = p + i + 4;
			/* "...-pod<uid>.slice", possibly followed by ":runtime:<id>" */
			if (pos && pos + 42 <= p + len && memcmp(pos + 36, ".slice", 6) == 0)
				pod_uid(pos, 36, pod);
		} else if (starts(p, len, "pod", &pl)) {
			pod_uid(p + 3, len - 3, pod);
		}
		struct container_ref c = {0};
		if (component(p, len, prev, prev_len, &c)) {
			found = c;
			have = true;
		} else if (service(p, len, &c)) {
			svc = c;
			have_svc = true;
		}
		prev = p;
		prev_len = len;
		p = end;
	}
	if (!have && !have_svc)
		return false;
	*out = have ? found : svc;
	if (have && pod[0])
		memcpy(out->pod_uid, pod, sizeof(pod));
	return true;
}
