package dev.signalbox.comms;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Starting points for an incident message, written after Buffer's two emails (shared/seed): say
 * sorry, say what happened and when, who is affected and that not everyone is, what to do now as
 * a list, what is not affected, where updates appear (each place named), invite replies and
 * promise an answer, and sign with a person's name. Every template passes every item of
 * {@link MessageChecklist} as written (MessageTemplatesTest reviews the text itself).
 *
 * <p>{@code {signer}}, {@code {incident}}, {@code {networks}}, {@code {since}} and
 * {@code {statusUrl}} are filled from the writer and the incident; the writer then edits the
 * text to tell the truth of the day. Nothing here is sent without being reviewed again.
 */
public final class MessageTemplates {

    /** One template: a stable id, the name shown in the picker, the Markdown body. */
    public record Template(String id, String name, String body) {}

    /** What fills a template's blanks. {@code networks} is a phrase such as "X and Facebook". */
    record Facts(String signer, String incident, String networks, String since, String statusUrl) {

        /** Facts for an incident (or, with null, for no incident in particular). */
        static Facts of(String signer, Incidents.Incident incident, String statusUrl) {
            String name = signer == null || signer.isBlank() ? "Sam" : signer.strip().split("\\s+")[0];
            if (incident == null) return new Facts(name, "a problem with Signalbox", "your social networks", "today", statusUrl);
            return new Facts(name, incident.title(), networks(incident.networks()), since(incident.startedAt()), statusUrl);
        }

        private static String networks(List<String> networks) {
            List<String> names = networks.stream().map(Facts::networkName).toList();
            if (names.isEmpty()) return "your social networks";
            if (names.size() == 1) return names.getFirst();
            return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast();
        }

        private static String networkName(String network) {
            return switch (network) {
                case "x" -> "X";
                case "facebook" -> "Facebook";
                case "mastodon" -> "Mastodon";
                case "bluesky" -> "Bluesky";
                default -> network.substring(0, 1).toUpperCase(Locale.ROOT) + network.substring(1);
            };
        }

        private static String since(Instant startedAt) {
            return startedAt == null ? "today" : "at " + DateTimeFormatter.ofPattern("HH:mm 'UTC' 'on' d MMMM", Locale.ENGLISH)
                    .format(startedAt.atOffset(ZoneOffset.UTC));
        }
    }

    static final List<Template> ALL = List.of(
            new Template("first_notice", "First notice", """
                    Hi there,

                    I am so sorry. We found a problem at Signalbox {since}: {incident}. I know how upsetting this is, and we are working on it right now.

                    Not everyone is affected. Only customers with profiles on {networks} may be.

                    What you should do now:

                    - Check your {networks} profiles for posts you did not write, and delete them
                    - Do not reconnect any account until we tell you to
                    - Keep an eye on our status page: {statusUrl}

                    Your Signalbox password is not affected. No billing or payment details were exposed.

                    We will post updates on our status page and send them by email until this is over.

                    If you have any question, just reply to this email. Many of you will write, so it may take us a while, but we will answer every single email.

                    – {signer} and the Signalbox team
                    """),
            new Template("update", "Update", """
                    Hi there,

                    Here is where things stand with {incident}, which began {since}. I am sorry it is taking this long.

                    We have found the cause and stopped it. Not everyone was affected: only some customers with profiles on {networks}.

                    What you should do now:

                    - Look over the posts on your {networks} profiles from today, and delete any you did not write
                    - Leave your queue as it is: held posts are kept, not lost
                    - Check our status page for the next update: {statusUrl}

                    Your password and billing details were not affected.

                    We will keep posting updates on our status page and by email.

                    Please reply to this email with any question. We read every message, and we will answer every one.

                    – {signer} and the Signalbox team
                    """),
            new Template("resolved", "Resolved and follow-up", """
                    Hi there,

                    I want to follow up on {incident}, which began {since}. For many of you this was a hard day, and I am sorry we caused it. We are back up and running.

                    Not everyone was affected: only customers with profiles on {networks}.

                    What you should do now:

                    - Check that your queue looks right, and send again any post that did not go out
                    - Turn on two-factor sign-in if you have not yet

                    Your posting has resumed normally. Your password and billing details were not affected.

                    We will post what we learned, and what we changed, on our status page ({statusUrl}) and by email.

                    If anything still looks wrong, reply to this email. We will answer every single email.

                    – {signer} and the Signalbox team
                    """),
            new Template("reconnect_required", "Reconnect required", """
                    Hi there,

                    I am sorry to ask more of you after {incident}, which began {since}. To keep you safe we disconnected your {networks} accounts.

                    Not everyone needs to do this: only customers who had profiles on {networks} connected.

                    What you should do now:

                    - Sign in to Signalbox on the web
                    - Open each {networks} profile and press Reconnect
                    - Check your queue: posts held while you were away go out once you reconnect

                    Your other profiles are working normally, and there is nothing you need to do for them. Your password is not affected.

                    We will post updates on our status page ({statusUrl}) and by email.

                    If reconnecting does not work, reply to this email and tell us what you see. We will answer every email.

                    – {signer} and the Signalbox team
                    """));

    private MessageTemplates() {}

    static Optional<Template> find(String id) {
        return ALL.stream().filter(t -> t.id().equals(id)).findFirst();
    }

    /** Every template with its blanks filled from {@code facts}. */
    static List<Template> filled(Facts facts) {
        return ALL.stream().map(t -> new Template(t.id(), t.name(), fill(t.body(), facts))).toList();
    }

    static String fill(String body, Facts facts) {
        return body.replace("{signer}", facts.signer()).replace("{incident}", facts.incident()).replace("{networks}", facts.networks())
                .replace("{since}", facts.since()).replace("{statusUrl}", facts.statusUrl());
    }
}
