package dev.signalbox.comms;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The checklist reviews drafts the way Buffer's two emails after the 2013 hack set the bar. */
class MessageChecklistTest {

    static final String GOOD = """
            Hi there,

            I'm so sorry. About an hour ago, spam was posted from some customers' X profiles through Signalbox.
            Not everyone is affected: only customers with an X profile connected.

            What you should do now:

            - Delete any post on your X profile that you did not write
            - Reconnect X from the web dashboard

            Your passwords and billing details are not affected.
            We will post updates on our status page and on X.
            Reply to this email with any question; we will answer every one.

            – Ana and the Signalbox team
            """;

    static String seed(String name) throws IOException {
        try (InputStream in = MessageChecklistTest.class.getResourceAsStream("/comms/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Map<String, MessageChecklist.Check> byItem(String draft) {
        return MessageChecklist.review(draft).stream().collect(Collectors.toMap(MessageChecklist.Check::item, c -> c));
    }

    @ParameterizedTest
    @ValueSource(strings = {"buffer-email-1.md", "buffer-email-2.md"})
    void both_of_buffers_emails_pass_every_required_item(String name) throws IOException {
        List<MessageChecklist.Check> review = MessageChecklist.review(seed(name));
        assertThat(MessageChecklist.failedRequired(review)).as("required items failed by %s", name).isEmpty();
        assertThat(review).filteredOn(c -> c.item().equals("readability")).singleElement()
                .satisfies(c -> assertThat(c.ok()).as(c.label()).isTrue());
        System.out.printf("%s: %s%n", name, review.stream().map(c -> c.item() + "=" + c.ok()).toList());
    }

    @Test
    void a_good_short_draft_passes_everything() {
        assertThat(MessageChecklist.review(GOOD)).allSatisfy(c -> assertThat(c.ok()).as(c.item() + ": " + c.hint()).isTrue());
    }

    @Test
    void a_draft_without_an_apology_is_told_to_say_sorry() {
        MessageChecklist.Check apology = byItem(GOOD.replace("I'm so sorry. ", "")).get("apology");
        assertThat(apology.ok()).isFalse();
        assertThat(apology.required()).isTrue();
        assertThat(apology.hint()).contains("Say sorry");
    }

    @Test
    void a_draft_whose_steps_are_not_a_list_is_told_to_list_them() {
        String prose = GOOD.replace("- Delete any post", "Delete any post").replace("- Reconnect X", "Then reconnect X");
        MessageChecklist.Check toDo = byItem(prose).get("what_to_do");
        assertThat(toDo.ok()).isFalse();
        assertThat(toDo.hint()).contains("one step per line");
    }

    @Test
    void a_list_without_a_call_to_act_is_told_to_introduce_it() {
        MessageChecklist.Check toDo = byItem(GOOD.replace("What you should do now:", "Some notes:")).get("what_to_do");
        assertThat(toDo.ok()).isFalse();
        assertThat(toDo.hint()).contains("Introduce your list");
    }

    @Test
    void a_draft_signed_only_by_the_company_is_told_to_add_a_name() {
        MessageChecklist.Check signature = byItem(GOOD.replace("– Ana and the Signalbox team", "The Signalbox team")).get("signature");
        assertThat(signature.ok()).isFalse();
        assertThat(signature.hint()).contains("person's name");
    }

    @Test
    void a_list_item_at_the_end_is_not_taken_for_a_signature() {
        String endsWithList = GOOD.replace("– Ana and the Signalbox team", "What else:\n\n- Check your queue\n- Reconnect");
        assertThat(byItem(endsWithList).get("signature").ok()).isFalse();
        assertThat(byItem(GOOD.replace("– Ana and the Signalbox team", "Thanks,\nAna")).get("signature").ok()).isTrue();
        assertThat(byItem(GOOD.replace("– Ana and the Signalbox team", "Thanks, Ana")).get("signature").ok()).isTrue();
    }

    @Test
    void an_invitation_without_a_promise_is_asked_for_the_promise() {
        MessageChecklist.Check reply = byItem(GOOD.replace("; we will answer every one", "")).get("reply_invitation");
        assertThat(reply.ok()).isFalse();
        assertThat(reply.hint()).contains("Promise that every reply gets an answer");
    }

    @Test
    void what_is_not_affected_is_required() {
        MessageChecklist.Check notAffected = byItem(GOOD.replace("Your passwords and billing details are not affected.\n", "")).get("not_affected");
        assertThat(notAffected.ok()).isFalse();
        assertThat(notAffected.hint()).contains("NOT affected");
    }

    @Test
    void long_words_in_long_sentences_get_a_readability_hint() {
        String dense = GOOD + "\nConsequently, the organisation's comprehensive infrastructural remediation initiative necessitates "
                + "considerable administrative coordination, notwithstanding extraordinary operational complications affecting "
                + "international telecommunication authentication intermediaries.\n";
        MessageChecklist.Check readability = byItem(dense).get("readability");
        assertThat(readability.ok()).isFalse();
        assertThat(readability.hint()).contains("shorter sentences");
    }

    @Test
    void flesch_kincaid_grade_matches_a_hand_count() {
        // "The cat sat on the mat." 6 words, 6 syllables, 1 sentence: 0.39*6 + 11.8*1 - 15.59 = -1.45
        assertThat(MessageChecklist.grade("The cat sat on the mat.")).isCloseTo(-1.45, org.assertj.core.data.Offset.offset(0.01));
        assertThat(MessageChecklist.syllables("reconnect")).isEqualTo(3);
        assertThat(MessageChecklist.syllables("apologize")).isEqualTo(4);
    }

    @Test
    void an_overlong_draft_is_told_to_move_details_elsewhere() {
        MessageChecklist.Check length = byItem(GOOD + "\nword ".repeat(400)).get("length");
        assertThat(length.ok()).isFalse();
        assertThat(length.hint()).contains("keep it under 350");
    }
}
