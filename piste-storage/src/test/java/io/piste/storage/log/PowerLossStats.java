package io.piste.storage.log;

/** Counts of what a power-loss run covered, for its report. Single-threaded. */
final class PowerLossStats {
    long crashes;
    long crashesDuringStartup;
    long recoveriesVerified;
    long appends;
    long acknowledgements;
    long duplicatesDetected;
    long cleanRestarts;
    long groupCommits;
    long logStartMoves;
    long truncations;

    void crash(boolean afterStartup) {
        crashes++;
        if (!afterStartup) {
            crashesDuringStartup++;
        }
    }

    void recoveryVerified() {
        recoveriesVerified++;
    }

    void append() {
        appends++;
    }

    void acknowledgement() {
        acknowledgements++;
    }

    void duplicateDetected() {
        duplicatesDetected++;
    }

    void groupCommit() {
        groupCommits++;
    }

    void logStartMove() {
        logStartMoves++;
    }

    void truncation() {
        truncations++;
    }

    void cleanRestart() {
        cleanRestarts++;
    }

    @Override
    public String toString() {
        return "crashPoints=" + crashes + " (during start-up: " + crashesDuringStartup + ") recoveriesVerified="
                + recoveriesVerified + " appends=" + appends + " acknowledgedFlushes=" + acknowledgements
                + " duplicatesDetected=" + duplicatesDetected + " cleanRestarts=" + cleanRestarts
                + " syncfsGroupCommits=" + groupCommits + " logStartMoves=" + logStartMoves + " truncations="
                + truncations;
    }
}
