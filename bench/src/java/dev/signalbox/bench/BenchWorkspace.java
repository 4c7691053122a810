package dev.signalbox.bench;

import dev.signalbox.testing.Api;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * A customer's workspace with N connected sandbox profiles, made through the REST API the way a
 * customer would (sign-up, workspace, and the real OAuth connect flow per profile).
 */
record BenchWorkspace(String workspaceId, List<String> profileIds) {

    static final String HANDLE_PREFIX = "sbx_";
    private static final int PARALLEL_CONNECTS = 16;

    static BenchWorkspace connect(int port, int profiles) throws Exception {
        Api customer = Api.at(port).newCustomer("Bench Customer");
        String workspace = customer.createWorkspace("Dispatch benchmark");
        try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_CONNECTS)) {
            List<Future<String>> connected = IntStream.range(0, profiles)
                    .mapToObj(i -> pool.submit(() -> customer.connectSandbox(workspace, HANDLE_PREFIX + i)))
                    .toList();
            List<String> ids = new java.util.ArrayList<>(profiles);
            for (Future<String> f : connected) ids.add(f.get());
            return new BenchWorkspace(workspace, List.copyOf(ids));
        }
    }

    /** The profile ids as one comma-separated SQL parameter (for {@code string_to_array}). */
    String idList() {
        return String.join(",", profileIds);
    }
}
