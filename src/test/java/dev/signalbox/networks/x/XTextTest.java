package dev.signalbox.networks.x;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.networks.RateLimits;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** X's weighted length (twitter-text v3), as a customer typing a post would meet it. */
class XTextTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            plain ASCII                       | hello world                                                              | 11
            a long URL counts 23              | https://example.com/a/very/long/path/that/goes/on/and/on?with=query&and=more | 23
            a URL inside a sentence           | see https://example.com/x, then reply                                     | 39
            a bare domain counts 23           | visit example.com today                                                  | 35
            an e-mail address is not a URL    | mail a@b.de                                                              | 11
            thumbs up with a skin tone        | 👍🏽                                                                       | 2
            a ZWJ family                      | 👨‍👩‍👧‍👦                                                                      | 2
            a flag                            | 🇯🇵                                                                       | 2
            a keycap                          | 1️⃣                                                                       | 2
            CJK                               | 日本語                                                                   | 6
            curly quotes and an en dash       | “a” – ‘b’                                                                | 9
            """)
    void counts(String what, String text, int expected) {
        assertThat(XText.weightedLength(text, XText.URL_WEIGHT)).as(what).isEqualTo(expected);
    }

    @Test
    void combining_marks_are_normalised_first() {
        assertThat(XText.weightedLength("e\u0301", XText.URL_WEIGHT)).as("e + U+0301 is é").isEqualTo(1);
        assertThat(XText.weightedLength("\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67\u200D\uD83D\uDC66", XText.URL_WEIGHT))
                .as("man ZWJ woman ZWJ girl ZWJ boy").isEqualTo(2);
        assertThat(XText.weightedLength("\uD83D\uDC4D\uD83C\uDFFD", XText.URL_WEIGHT)).as("thumbs up, medium skin tone").isEqualTo(2);
    }

    final XAdapter adapter = new XAdapter(new XAdapter.Settings("", "", "http://127.0.0.1:9", "http://127.0.0.1:9/authorize"),
            HttpClient.newHttpClient(), Duration.ofSeconds(1), new RateLimits(), Clock.systemUTC());

    @Test
    void two_hundred_eighty_ascii_characters_fit_and_two_hundred_eighty_one_do_not() {
        assertThat(adapter.validate("a".repeat(280), adapter.defaultLimits())).isEmpty();
        assertThat(adapter.validate("a".repeat(281), adapter.defaultLimits()))
                .containsExactly("is 281 characters; x allows at most 280 (each URL counts as 23, most CJK and emoji as 2)");
    }

    @Test
    void one_hundred_forty_cjk_characters_fill_a_post() {
        assertThat(adapter.validate("語".repeat(140), adapter.defaultLimits())).isEmpty();
        assertThat(adapter.validate("語".repeat(141), adapter.defaultLimits()))
                .containsExactly("is 282 characters; x allows at most 280 (each URL counts as 23, most CJK and emoji as 2)");
    }

    @Test
    void an_empty_post_is_refused() {
        assertThat(adapter.validate("  ", adapter.defaultLimits())).containsExactly("must not be empty");
    }
}
