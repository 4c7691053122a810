package dev.signalbox.networks.bluesky;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.networks.NetworkHttp;
import dev.signalbox.networks.RateLimits;
import dev.signalbox.networks.SafeUrls;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BlueskyTextTest {

    final BlueskyAdapter adapter = new BlueskyAdapter(NetworkHttp.of(Duration.ofSeconds(1), Duration.ofSeconds(1)),
            new SafeUrls(false, host -> new InetAddress[0]), new RateLimits(), "https://bsky.social", Clock.systemUTC());

    @ParameterizedTest(name = "{0} × \"{1}\"")
    @CsvSource(delimiter = '|', value = {
            // repeat | unit | graphemes | bytes | problems
            "300|a|300|300|",
            "301|a|301|301|is 301 graphemes; bluesky allows at most 300",
            "300|👨‍👩‍👧‍👦|300|7500|is 7,500 bytes in UTF-8; bluesky allows at most 3000",
            "120|ü|120|240|",
            "3|" + "x" + "|3|3|"})
    void posts_are_limited_by_graphemes_and_by_utf8_bytes(int repeat, String unit, int graphemes, int bytes, String problem) {
        String text = unit.repeat(repeat);
        assertThat(BlueskyText.graphemes(text)).isEqualTo(graphemes);
        assertThat(BlueskyText.bytes(text)).isEqualTo(bytes);
        if (problem == null) assertThat(adapter.validate(text, adapter.defaultLimits())).isEmpty();
        else assertThat(adapter.validate(text, adapter.defaultLimits())).containsExactly(problem);
    }

    @Test
    void many_wide_graphemes_break_the_byte_rule_before_the_grapheme_rule() {
        String text = "日本".repeat(140) + "a".repeat(20); // 300 graphemes, 860 bytes: fine
        assertThat(adapter.validate(text, adapter.defaultLimits())).isEmpty();
        String emoji = "🏳️‍🌈".repeat(250); // 250 graphemes of 14 bytes: 3,500 bytes
        assertThat(adapter.validate(emoji, adapter.defaultLimits())).containsExactly("is 3,500 bytes in UTF-8; bluesky allows at most 3000");
    }

    @Test
    void urls_count_at_full_length() {
        String url = "https://example.com/" + "p".repeat(280); // 300 graphemes
        assertThat(adapter.validate(url, adapter.defaultLimits())).isEmpty();
        assertThat(adapter.validate(url + "!", adapter.defaultLimits())).containsExactly("is 301 graphemes; bluesky allows at most 300");
    }

    @Test
    void link_facets_use_utf8_byte_offsets_with_an_exclusive_end() {
        assertThat(BlueskyText.links("Grüße 👋 https://example.com. Und https://b.example/x?y=ü"))
                .containsExactly(new BlueskyText.Link(13, 32, "https://example.com"),
                        new BlueskyText.Link(38, 62, "https://b.example/x?y=ü"));
    }

    @Test
    void record_keys_are_valid_tids_fixed_per_post_distinct_between_posts_and_ordered_by_creation() {
        String a = "pst_01jf8zq3k5abcdefghjkmnpqrs";
        assertThat(RecordKeys.forPost(a)).isEqualTo(RecordKeys.forPost(a)).matches(RecordKeys::isTid);
        assertThat(RecordKeys.forPost("not-a-signalbox-id")).matches(RecordKeys::isTid);
        assertThat(RecordKeys.encode(0)).isEqualTo("2222222222222");

        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 2000; i++) keys.add(RecordKeys.forPost("pst_01jf8zq3k5" + String.format("%016d", i)));
        assertThat(keys).hasSize(2000);

        // created a day apart (in the first ten characters): the later post sorts after
        assertThat(RecordKeys.forPost("pst_01jf9zq3k5abcdefghjkmnpqrs")).isGreaterThan(RecordKeys.forPost(a));
    }
}
