// Process control calls Swift cannot import: prctl(2) is variadic in <sys/prctl.h>.
// Used by Sources/KyniemPlugins/ChildProcess.swift.
#ifndef KYNIEM_CPROCESSCONTROL_SHIM_H
#define KYNIEM_CPROCESSCONTROL_SHIM_H

#ifdef __linux__
#include <sys/prctl.h>

/// Makes the calling process a child subreaper (Linux 3.4+): orphans among its descendants are
/// reparented to it rather than to init, so it can still find, kill and reap them.
static inline int kyniem_set_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL);
}
#else
static inline int kyniem_set_child_subreaper(void) { return -1; }
#endif

#endif
