// A hint to bring memory into the cache ahead of its use, which Swift has no word for.
// Used by Sources/KyniemCore/Schedule.swift (OccurrenceList's iterator).
#ifndef KYNIEM_CPREFETCH_SHIM_H
#define KYNIEM_CPREFETCH_SHIM_H

/// Starts loading the cache line at `address` for reading; never faults, changes nothing.
static inline void kyniem_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
