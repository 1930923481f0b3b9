/* Giving up what a running pipeline no longer needs. */
#ifndef ANOMON_PRIVILEGES_H
#define ANOMON_PRIVILEGES_H

/*
 * Called once every stage has started (BPF programs loaded and attached, files open):
 * switch to `user` when not NULL, then keep only CAP_DAC_READ_SEARCH (cgroup ids are turned
 * into paths with open_by_handle_at) and set no_new_privs. Ring buffers, maps and perf
 * events stay readable through the descriptors already open. Returns 0, or -errno after
 * reporting why.
 */
int privileges_drop(const char *user);

#endif
