package dev.signalbox.comms;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The templates as written pass the checklist — reviewed from their actual text, filled both ways. */
class MessageTemplatesTest {

    static final Incidents.Incident INCIDENT = new Incidents.Incident("inc_1", "Spam posted through X and Facebook", "critical",
            "investigating", List.of("x", "facebook"), Instant.parse("2026-10-26T14:05:00Z"), null, Instant.parse("2026-10-26T14:05:00Z"), List.of());

    static List<MessageTemplates.Facts> facts() {
        return List.of(MessageTemplates.Facts.of("Joel Gascoigne", INCIDENT, "https://signalbox.example.com/status"),
                MessageTemplates.Facts.of("Ana", null, "http://localhost:8080/status"));
    }

    @Test
    void there_are_templates_for_each_moment_of_an_incident() {
        assertThat(MessageTemplates.ALL).extracting(MessageTemplates.Template::id)
                .containsExactly("first_notice", "update", "resolved", "reconnect_required");
    }

    @Test
    void every_template_passes_every_checklist_item() {
        for (MessageTemplates.Facts f : facts()) {
            for (MessageTemplates.Template t : MessageTemplates.filled(f)) {
                List<MessageChecklist.Check> review = MessageChecklist.review(t.body());
                assertThat(MessageChecklist.failedRequired(review)).as(t.id() + " required items\n" + t.body()).isEmpty();
                assertThat(review).as(t.id() + " advice\n" + t.body()).allSatisfy(c -> assertThat(c.ok()).as(c.item() + ": " + c.hint()).isTrue());
                assertThat(t.body()).as(t.id() + " has no blank left").doesNotContain("{").doesNotContain("}");
            }
        }
    }

    @Test
    void the_review_catches_a_template_with_a_required_part_taken_out() {
        // the test above reviews real text: take each required part out of a template and the review fails on it
        String body = MessageTemplates.filled(facts().getFirst()).getFirst().body();
        assertThat(failed(body.replace("I am so sorry.", "").replace("sorry", "sad"))).contains("apology");
        assertThat(failed(body.replaceAll("(?m)^- .*\\n", ""))).contains("what_to_do");
        assertThat(failed(body.replaceAll("(?m)^Your Signalbox password.*$", ""))).contains("not_affected");
        assertThat(failed(body.replace("we will answer every single email", "thanks"))).contains("reply_invitation");
        assertThat(failed(body.replaceAll("(?m)^– .*$", "The Signalbox team."))).contains("signature");
    }

    @Test
    void templates_name_the_incident_its_networks_and_the_status_page() {
        MessageTemplates.Template first = MessageTemplates.filled(facts().getFirst()).getFirst();
        assertThat(first.body()).contains("Spam posted through X and Facebook", "X and Facebook", "at 14:05 UTC on 26 October",
                "https://signalbox.example.com/status", "– Joel and the Signalbox team");
        assertThat(Pattern.compile("(?m)^- ").matcher(first.body()).results().count()).isGreaterThanOrEqualTo(2);
    }

    private static List<String> failed(String body) {
        return MessageChecklist.failedRequired(MessageChecklist.review(body)).stream().map(MessageChecklist.Check::item).toList();
    }
}
