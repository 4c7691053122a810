package dev.signalbox.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** TOTP against the test vectors of RFC 6238 (appendix B) and base32 against RFC 4648. */
class TotpTest {

    private static final byte[] SHA1_KEY = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHA256_KEY = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHA512_KEY = "1234567890123456789012345678901234567890123456789012345678901234".getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest(name = "T={0}s {2}")
    @CsvSource({
            "59, 94287082, SHA1", "59, 46119246, SHA256", "59, 90693936, SHA512",
            "1111111109, 07081804, SHA1", "1111111109, 68084774, SHA256", "1111111109, 25091201, SHA512",
            "1111111111, 14050471, SHA1", "1111111111, 67062674, SHA256", "1111111111, 99943326, SHA512",
            "1234567890, 89005924, SHA1", "1234567890, 91819424, SHA256", "1234567890, 93441116, SHA512",
            "2000000000, 69279037, SHA1", "2000000000, 90698825, SHA256", "2000000000, 38618901, SHA512",
            "20000000000, 65353130, SHA1", "20000000000, 77737706, SHA256", "20000000000, 47863826, SHA512"})
    void codes_match_the_rfc_6238_test_vectors(long seconds, String expected, String algorithm) {
        byte[] key = switch (algorithm) {
            case "SHA1" -> SHA1_KEY;
            case "SHA256" -> SHA256_KEY;
            default -> SHA512_KEY;
        };
        assertThat(Totp.code(key, Totp.stepAt(Instant.ofEpochSecond(seconds)), 8, algorithm)).isEqualTo(expected);
    }

    @Test
    void six_digit_codes_are_the_last_six_digits_of_the_rfc_values() {
        String secret = Totp.base32(SHA1_KEY);
        assertThat(Totp.code(secret, Totp.stepAt(Instant.ofEpochSecond(59)))).isEqualTo("287082");
        assertThat(Totp.code(secret, Totp.stepAt(Instant.ofEpochSecond(1111111109)))).isEqualTo("081804");
    }

    @Test
    void a_code_is_accepted_one_step_either_side_and_not_two() {
        String secret = Totp.base32(SHA1_KEY);
        Instant now = Instant.ofEpochSecond(1111111111);
        long step = Totp.stepAt(now);
        assertThat(Totp.matchingStep(secret, Totp.code(secret, step - 1), now)).hasValue(step - 1);
        assertThat(Totp.matchingStep(secret, Totp.code(secret, step), now)).hasValue(step);
        assertThat(Totp.matchingStep(secret, Totp.code(secret, step + 1), now)).hasValue(step + 1);
        assertThat(Totp.matchingStep(secret, Totp.code(secret, step - 2), now)).isEmpty();
        assertThat(Totp.matchingStep(secret, "12345", now)).isEmpty();
        assertThat(Totp.matchingStep(secret, "abcdef", now)).isEmpty();
    }

    @Test
    void base32_follows_rfc_4648_and_reads_lower_case_spaces_and_padding() {
        assertThat(Totp.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTBOI");
        assertThat(Totp.base32("f".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MY");
        assertThat(new String(Totp.base32Decode("mzxw 6ytb oi======"), StandardCharsets.US_ASCII)).isEqualTo("foobar");
        assertThat(Totp.base32Decode(Totp.newSecret())).hasSize(20);
        assertThatThrownBy(() -> Totp.base32Decode("MZ1W")).hasMessageContaining("'1' is not a base32 character");
    }

    @Test
    void the_otpauth_uri_names_signalbox_the_email_and_the_secret() {
        assertThat(TwoFactor.otpauthUri("ops@example.com", "JBSWY3DPEHPK3PXP"))
                .isEqualTo("otpauth://totp/Signalbox:ops%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Signalbox");
    }
}
