/**
 * The V8 heap setting Crossdock's processes run with (ADR 0005, "Where the memory goes").
 *
 * V8 grows its young generation with the bytes that survive its scavenges, on a large machine up to
 * 64 MB per semi-space, so a long streaming translation's RSS rose with the input's length although
 * its live data did not (X12 856, 200 → 800 MB: peak RSS 138 → 176 MB). With semi-spaces capped at
 * 16 MB, V8's long-standing default, the peak stays at ~120-130 MB whatever the length, and the
 * translation is no slower (bench/edi-throughput.ts measures both).
 *
 * The flag only works when a process starts: `bin/crossdock.js`'s shebang and package.json's scripts
 * carry it (test/unit/common/heap-flags.test.ts checks they agree with this module), the bench's
 * child processes get it from here, and worker threads get the same young generation through their
 * resource limits.
 */
export const SEMI_SPACE_MB = 16;

/** Node options for a Crossdock process. */
export const NODE_HEAP_FLAGS: readonly string[] = [`--max-semi-space-size=${SEMI_SPACE_MB}`];

/** A worker thread's young generation: V8 sizes it as three semi-spaces (two, plus large objects). */
export const WORKER_YOUNG_GENERATION_MB = 3 * SEMI_SPACE_MB;
