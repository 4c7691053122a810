package dev.signalbox.publishing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A settled batch of any size reaches a waiting halt whole, in payloads PostgreSQL accepts (under 8,000 bytes). */
class SettledPostsTest {

    @Test
    void a_full_batch_is_split_into_payloads_postgresql_accepts_and_loses_no_attempt() {
        List<String> attempts = new ArrayList<>();
        for (int i = 0; i < PublishedSettlements.MAX_BATCH; i++) {
            attempts.add(SettledPosts.attempt("pst_halt_20261130034515_" + (100_000 + i), 1 + i % 8));
        }
        List<String> payloads = SettledPosts.payloads(attempts);

        assertThat(payloads).hasSizeGreaterThan(1);
        assertThat(payloads).allSatisfy(p -> assertThat(p.getBytes(StandardCharsets.UTF_8).length).isLessThan(8_000));
        assertThat(payloads.stream().flatMap(p -> Arrays.stream(p.split(","))).toList()).isEqualTo(attempts);
    }

    @Test
    void one_attempt_is_one_payload() {
        assertThat(SettledPosts.payloads(List.of(SettledPosts.attempt("pst_1", 3)))).containsExactly("pst_1:3");
        assertThat(SettledPosts.payloads(List.of())).isEmpty();
    }
}
