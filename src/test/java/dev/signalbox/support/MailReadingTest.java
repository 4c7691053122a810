package dev.signalbox.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading mail without a server: quote folding, the mailbox URL, messages that break the rules. */
class MailReadingTest {

    @Test
    void quoted_lines_attributions_and_signatures_are_folded_and_the_new_text_stays_open() {
        List<QuotedText.Part> parts = QuotedText.fold("""
                Thanks, that worked.

                On Mon, 21 Oct 2013 at 10:15, Signalbox Support
                <support@signalbox.test> wrote:
                > Reconnect X from the web dashboard.
                >
                > – Sam

                One more thing: my Facebook page?
                --\s
                Ana
                Sent from my phone""");
        assertThat(parts).extracting(QuotedText.Part::kind).containsExactly(QuotedText.Kind.TEXT, QuotedText.Kind.QUOTE, QuotedText.Kind.TEXT,
                QuotedText.Kind.SIGNATURE);
        assertThat(parts.get(0).text()).isEqualTo("Thanks, that worked.");
        assertThat(parts.get(1).text()).startsWith("On Mon, 21 Oct 2013").endsWith("> – Sam");
        assertThat(parts.get(2).text()).isEqualTo("One more thing: my Facebook page?");
        assertThat(parts.get(3).text()).isEqualTo("Ana\nSent from my phone");
        assertThat(parts.get(1).folded()).isTrue();
        assertThat(parts.get(0).folded()).isFalse();
    }

    @Test
    void a_top_posted_reply_folds_everything_under_the_attribution_even_unquoted() {
        List<QuotedText.Part> parts = QuotedText.fold("Yes please.\n\nOn Tue, Oct 22, 2013, Buffer wrote:\nHi there,\nwe are sorry.\n");
        assertThat(parts).extracting(QuotedText.Part::kind).containsExactly(QuotedText.Kind.TEXT, QuotedText.Kind.QUOTE);
        assertThat(parts.get(1).text()).endsWith("we are sorry.");
        assertThat(QuotedText.fold("> only a quote")).extracting(QuotedText.Part::kind).containsExactly(QuotedText.Kind.QUOTE);
        assertThat(QuotedText.fold("")).isEmpty();
    }

    @Test
    void the_mailbox_url_is_decoded_and_never_shows_its_password() {
        SupportMailbox.ImapUrl url = SupportMailbox.ImapUrl.parse("imaps://support%40example.com:p%40ss%3Aword@mail.example.com/Support");
        assertThat(url.user()).isEqualTo("support@example.com");
        assertThat(url.password()).isEqualTo("p@ss:word");
        assertThat(url.port()).isEqualTo(993);
        assertThat(url.folder()).isEqualTo("Support");
        assertThat(url.toString()).isEqualTo("imaps://support@example.com@mail.example.com:993/Support").doesNotContain("p@ss");
        assertThat(SupportMailbox.ImapUrl.parse("imap://u:secret@localhost:3143").folder()).isEqualTo("INBOX");
        assertThatThrownBy(() -> SupportMailbox.ImapUrl.parse("pop3://u:hunter2@host/INBOX")).hasMessageNotContaining("hunter2")
                .hasMessageContaining("imap://");
        assertThatThrownBy(() -> SupportMailbox.ImapUrl.parse("imap://u:hunter2 with spaces@host/INBOX")).hasMessageNotContaining("hunter2");
    }

    @Test
    void a_message_without_from_or_readable_body_lands_with_its_reason_and_its_bytes() {
        byte[] raw = "To: support@signalbox.test\r\nSubject: =?x-unknown?Q?hi?=\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nqapla\u0000'\r\n"
                .getBytes(StandardCharsets.UTF_8);
        InboundMessage m = MailReader.read(raw, "imap");
        assertThat(m.malformedReason()).contains("From: missing").contains("body:");
        assertThat(m.rawSource()).contains("qapla").doesNotContain("\u0000");
        assertThat(m.dedupKey()).startsWith("sha256:");
        assertThat(m.text()).contains("qapla");
        assertThat(MailReader.read(raw, "imap").dedupKey()).isEqualTo(m.dedupKey());
    }

    @Test
    void header_values_from_strangers_keep_only_message_ids_and_lose_line_breaks() {
        assertThat(MailReader.ids("<a@b>\r\nBcc: victim@example.com <c@d> junk")).isEqualTo("<a@b> <c@d>");
        assertThat(MailReader.ids("no ids here")).isNull();
        assertThat(MailReader.clean("Re: hi\r\nBcc: x@y")).isEqualTo("Re: hi Bcc: x@y");
    }
}
