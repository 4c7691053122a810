package dev.signalbox.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the machine's CPU went during a measured window: the CPU time of each process of the run
 * (from /proc/&lt;pid&gt;/stat) and the machine's idle share (from /proc/stat). On two cores both
 * bursts are CPU-bound, so CPU per post by process says which side of a comparison costs more.
 * PostgreSQL's CPU is the postmaster's own and reaped children's, plus every live child's (backends,
 * autovacuum, checkpointer, WAL writer), so a backend that exits in the window is still counted.
 * Linux only; elsewhere every figure is "unknown".
 */
final class CpuUse {

    /**
     * A snapshot: CPU ticks per named process group; the machine's busy ticks (all processes and the kernel),
     * idle ticks, and stolen ticks (taken by the hypervisor for other guests: a noisy neighbour).
     */
    record Snapshot(Map<String, Long> ticks, long machineBusy, long machineIdle, long machineStolen) {

        private long used(String group, Snapshot before) {
            return ticks.get(group) - before.ticks.getOrDefault(group, 0L);
        }

        private static String millis(long ticks, long posts) {
            return String.format(Locale.ROOT, "%.2f", ticks * 1000.0 / TICKS_PER_SECOND / posts);
        }

        /** e.g. "database 0.62 (sessions on signalbox 0.51, autovacuum 0.08, …), Signalbox JVM 0.81, harness JVM 0.05 — total 1.48 CPU ms per post; machine idle 3 %". */
        String perPostSince(Snapshot before, long posts) {
            if (ticks.isEmpty()) return "unknown (no /proc)";
            // the database's parts (sessions, autovacuum, background) go in parentheses after its total
            StringBuilder parts = new StringBuilder();
            for (var group : ticks.entrySet()) {
                long used = used(group.getKey(), before);
                if (group.getKey().startsWith(PART) && used > 0) {
                    parts.append(parts.isEmpty() ? " (" : ", ").append(group.getKey().substring(PART.length())).append(' ')
                            .append(millis(used, posts));
                }
            }
            if (!parts.isEmpty()) parts.append(')');
            StringBuilder line = new StringBuilder();
            double total = 0;
            for (var group : ticks.entrySet()) {
                if (group.getKey().startsWith(PART)) continue;
                long used = used(group.getKey(), before);
                total += used * 1000.0 / TICKS_PER_SECOND / posts;
                line.append(line.isEmpty() ? "" : ", ").append(group.getKey()).append(' ').append(millis(used, posts));
                if (group.getKey().equals("database")) line.append(parts);
            }
            long busy = machineBusy - before.machineBusy;
            long idle = machineIdle - before.machineIdle;
            long stolen = machineStolen - before.machineStolen;
            long all = Math.max(1, busy + idle + stolen);
            double elsewhere = busy * 1000.0 / TICKS_PER_SECOND / posts - total;
            return line + String.format(Locale.ROOT, " — total %.2f CPU ms per post (%.2f more elsewhere: kernel, other processes);"
                    + " machine idle %.0f %%, stolen by the hypervisor %.0f %%", total, elsewhere, 100.0 * idle / all, 100.0 * stolen / all);
        }
    }

    /** For a stretch of the burst: CPU ms per post for each process (the database as one), and the machine's idle share. */
    static String stretch(Snapshot before, Snapshot after, long posts) {
        if (after.ticks().isEmpty() || posts <= 0) return "–";
        StringBuilder line = new StringBuilder();
        for (var group : after.ticks().entrySet()) {
            if (group.getKey().startsWith(PART)) continue;
            line.append(line.isEmpty() ? "" : ", ").append(group.getKey()).append(' ')
                    .append(Snapshot.millis(after.used(group.getKey(), before), posts));
        }
        long idle = after.machineIdle() - before.machineIdle();
        long all = Math.max(1, after.machineBusy() - before.machineBusy() + idle + after.machineStolen() - before.machineStolen());
        return line + String.format(Locale.ROOT, "; idle %.0f %%", 100.0 * idle / all);
    }

    /**
     * Snapshots taken every {@code step} from {@code from} on a thread of their own, until {@link Sampler#stop}:
     * where the CPU went in each stretch of a burst, not only over all of it.
     */
    Sampler sampleFrom(java.time.Instant from, java.time.Duration step) {
        return new Sampler(from, step);
    }

    final class Sampler {
        private final List<Snapshot> snapshots = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Thread thread;

        private Sampler(java.time.Instant from, java.time.Duration step) {
            thread = Thread.ofPlatform().daemon().name("cpu-sampler").start(() -> {
                for (java.time.Instant next = from; !Thread.currentThread().isInterrupted(); next = next.plus(step)) {
                    long wait = java.time.Duration.between(java.time.Instant.now(), next).toMillis();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    snapshots.add(snapshot());
                }
            });
        }

        /** Stops sampling; the snapshots so far, the first at {@code from}. */
        List<Snapshot> stop() {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.copyOf(snapshots);
        }
    }

    /** The database's share is split into parts, named with this prefix. */
    private static final String PART = "part: ";

    /** Linux's USER_HZ: /proc reports CPU times in 1/100 s on every platform Linux runs on today. */
    private static final long TICKS_PER_SECOND = 100;

    private final Map<String, Long> processes;
    private final long postmaster;

    /** {@code processes}: a name per JVM to follow; {@code postmaster}: PostgreSQL's main process (0: none). */
    CpuUse(Map<String, Long> processes, long postmaster) {
        this.processes = new LinkedHashMap<>(processes);
        this.postmaster = postmaster;
    }

    /** A snapshot taken at {@code instant} (waits until then), so the window starts when the work does. */
    Snapshot snapshotAt(java.time.Instant instant) {
        long wait = java.time.Duration.between(java.time.Instant.now(), instant).toMillis();
        if (wait > 0) SignalboxProcess.sleep(wait);
        return snapshot();
    }

    Snapshot snapshot() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        try {
            if (postmaster > 0) {
                long[] own = stat(postmaster);
                ticks.put("database", 0L);
                // the database's share split by process: sessions per database, background workers, and
                // processes that exited in the window (autovacuum workers do, after each table)
                ticks.put(PART + "exited processes (autovacuum workers)", own[2] + own[3]);
                try (Stream<Path> all = Files.list(Path.of("/proc"))) {
                    for (Path dir : (Iterable<Path>) all::iterator) {
                        String name = dir.getFileName().toString();
                        if (!name.chars().allMatch(Character::isDigit)) continue;
                        long[] child = stat(Long.parseLong(name));
                        if (child == null || child[4] != postmaster) continue;
                        ticks.merge(PART + kind(dir), child[0] + child[1], Long::sum);
                    }
                }
                ticks.put("database", own[0] + own[1] + ticks.entrySet().stream()
                        .filter(e -> e.getKey().startsWith(PART)).mapToLong(Map.Entry::getValue).sum());
            }
            for (var process : processes.entrySet()) {
                long[] own = stat(process.getValue());
                ticks.put(process.getKey(), own == null ? 0 : own[0] + own[1]);
            }
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]); // idle + iowait
            long busy = 0;
            for (int i = 1; i < cpu.length && i <= 7; i++) busy += Long.parseLong(cpu[i]); // user … softirq
            long stolen = cpu.length > 8 ? Long.parseLong(cpu[8]) : 0;
            return new Snapshot(ticks, busy - idle, idle, stolen);
        } catch (IOException | RuntimeException e) {
            return new Snapshot(Map.of(), 0, 0, 0);
        }
    }

    /** What a PostgreSQL child process is, from its title: "sessions on signalbox", "autovacuum", "wal writer"… */
    private static String kind(Path dir) {
        try {
            String title = new String(Files.readAllBytes(dir.resolve("cmdline"))).replace('\0', ' ').trim();
            if (!title.startsWith("postgres: ")) return "other";
            String[] words = title.substring("postgres: ".length()).split("\\s+");
            // a session's title: "postgres: <user> <database> <client> <state>"
            if (words.length >= 3 && words[0].equals("postgres") && !words[1].endsWith("process")) return "sessions on " + words[1];
            if (title.contains("autovacuum")) return "autovacuum";
            return "background (wal, checkpoints, stats)";
        } catch (IOException e) {
            return "other";
        }
    }

    /** The parent process of {@code pid} (a backend's parent is the postmaster), or 0 when it is gone. */
    static long parentOf(long pid) {
        long[] stat = stat(pid);
        return stat == null ? 0 : stat[4];
    }

    /** utime, stime, cutime, cstime and ppid of a process, or null when it is gone. */
    private static long[] stat(long pid) {
        String line;
        try {
            line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return null;
        }
        // the command name, in parentheses, may hold spaces: fields are counted from after its closing one
        String[] f = line.substring(line.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14]), Long.parseLong(f[1])};
    }
}
