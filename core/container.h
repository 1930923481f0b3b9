/* Which container a cgroup path belongs to, from the path alone. */
#ifndef ANOMON_CONTAINER_H
#define ANOMON_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

#define CONTAINER_ID_MAX 64
#define CONTAINER_NAME_MAX 128

struct container_ref {
	char runtime[16];                 /* "docker", "containerd", "crio", "podman", "lxc",
	                                     "systemd", "kubernetes", ""; "-conmon" suffix for a
	                                     runtime's monitor process */
	char id[CONTAINER_ID_MAX + 1];    /* lower-case hex (or a name for lxc/systemd) */
	char short_id[13];                /* first 12 characters of id */
	char pod_uid[37];                 /* Kubernetes pod uid, dashed form */
	char name[CONTAINER_NAME_MAX + 1];
};

/*
 * Recognise a cgroup v2 path relative to the hierarchy's root ("/system.slice/docker-
 * <id>.scope"). The deepest component that names a container wins, so nested layouts (a
 * container inside a pod, docker in docker) give the innermost container. Returns true and
 * fills *out for a container or a systemd service; false for the host and plain cgroups.
 * Only compares characters: nothing in the path is evaluated or used to open files.
 */
bool container_recognise(const char *path, struct container_ref *out);

#endif
