package dev.signalbox.publishing;

import java.time.Instant;

/**
 * When a network call left this node (after its last look at the halts) and when its answer, or
 * its failure, came back. Kept in the ledger: the call's own duration, apart from the time the
 * attempt spent being claimed and settled.
 */
record CallTimes(Instant started, Instant answered) {}
