package dev.signalbox.comms;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reviews a draft incident message against the lessons of Buffer's two emails after the 2013 hack
 * (shared/seed): each item says whether the draft has it and, when it does not, what to add, in
 * plain words. Pure and stateless: the same draft always gets the same review.
 *
 * <p>Five items are <em>required</em>: an update missing one is refused unless the writer
 * overrides the checklist (and the override is audit-logged). They are the ones a reader in
 * trouble cannot do without, and the ones whose absence turns a notice into a cover-up:
 * <ul>
 *   <li>an <b>apology</b> — without it every other sentence reads as an excuse;</li>
 *   <li><b>what to do now</b>, as a list — the reader's damage keeps growing until they act;</li>
 *   <li><b>what is not affected</b> — otherwise readers assume the worst (passwords, billing)
 *       and flood support or leave;</li>
 *   <li>an <b>invitation to reply</b> with a promise to answer — the only channel back from the
 *       reader, and the promise that someone will read it;</li>
 *   <li>a <b>human signature</b> — a named person takes responsibility; "The Team" does not.</li>
 * </ul>
 * The others (what happened, who is affected, where updates appear, readability, length) are
 * advice: good messages have them, but an early "we know, we are on it" may honestly lack them.
 */
public final class MessageChecklist {

    /** One reviewed item. {@code hint} says what to add (null when the item is fine). */
    public record Check(String item, String label, boolean required, boolean ok, String hint) {}

    /** Advisory limits: above them the draft gets a hint, never a refusal. */
    static final double MAX_GRADE = 9.0;
    static final int MAX_WORDS = 350;

    private static final int I = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
    private static final Pattern APOLOGY = Pattern.compile("\\b(sorry|apologi[sz]e[ds]?|apologies|apologising|apologizing)\\b", I);
    private static final Pattern WHAT_HAPPENED_EVENT = Pattern.compile(
            "\\b(hack(ed)?|breach(ed)?|outage|incident|went down|was down|stopped|failed|spam|posted|sent|error|bug|compromised|attack(ed)?|disrupt(ed|ion)?|problem)\\b", I);
    private static final Pattern WHAT_HAPPENED_TIME = Pattern.compile(
            "\\b(ago|yesterday|today|tonight|this (morning|afternoon|evening|weekend)|last (night|week)|since|at \\d{1,2}([:.]\\d{2})?|"
                    + "on (monday|tuesday|wednesday|thursday|friday|saturday|sunday)|\\d{1,2}:\\d{2}|(january|february|march|april|may|june|july|"
                    + "august|september|october|november|december) \\d{1,2}|\\d{1,2}(st|nd|rd|th)|minutes?|hours?)\\b", I);
    private static final Pattern WHO_AFFECTED = Pattern.compile(
            "\\b(not everyone|not all (of )?(you|users|customers|accounts)|some of you|many of you|a few of you|only (customers|users|accounts|profiles|those|people|workspaces)|"
                    + "if you (use|used|have|had|connected|signed)|(customers|users|accounts|profiles) (who|that|with) )", I);
    private static final Pattern LIST_ITEM = Pattern.compile("^\\s{0,3}([-*+•]|\\d{1,2}[.)])\\s+\\S.*$");
    private static final Pattern ACTION_PHRASE = Pattern.compile(
            "\\b(steps?|what (you|to) (should |need to |can |must )?do|you (will |may )?(have|need|want|should|must) to|please|action|to do now|"
                    + "right now|do this|what to do|next)\\b", I);
    private static final Pattern NOT_AFFECTED = Pattern.compile(
            "(\\bnot (been )?(affected|exposed|accessed|compromised|touched|involved)|\\bunaffected\\b|\\b(was|were|is|are|has|have)n't (been )?(affected|exposed|accessed)|"
                    + "\\b(remain|remains|are|is|stay|stays) (safe|secure)\\b|\\b(working|resumed|running|continue[sd]?) (normally|as (usual|normal))|"
                    + "nothing you need to do|no (billing|payment|password|card)[^.\\n]{0,60}(affected|exposed|accessed))", I);
    private static final Pattern UPDATE_CONTEXT = Pattern.compile(
            "\\b(updates?|updating|posting|post|keep you (in the loop|informed|posted)|follow|news)\\b", I);
    private static final Pattern[] CHANNELS = {
            Pattern.compile("\\bstatus ?page\\b", I), Pattern.compile("\\be-?mail\\b", I), Pattern.compile("\\btwitter\\b", I),
            Pattern.compile("\\bX\\b"), Pattern.compile("\\bfacebook\\b", I), Pattern.compile("\\bblog\\b", I),
            Pattern.compile("\\bmastodon\\b", I), Pattern.compile("\\bbluesky\\b", I), Pattern.compile("\\b(web ?site|dashboard)\\b", I)};
    private static final String[] CHANNEL_NAMES = {"status page", "email", "Twitter", "X", "Facebook", "blog", "Mastodon", "Bluesky", "website"};
    private static final Pattern INVITATION = Pattern.compile(
            "\\b(reply|respond|write (back|to us)|get in touch|contact us|email us|hit reply|post a comment|ask us|reach (out|us))\\b", I);
    private static final Pattern PROMISE = Pattern.compile(
            "\\b(we|I)('ll| will| shall)( be sure to| make sure to| personally| read and)? (respond|reply|answer|get back|read)|"
                    + "\\b(respond|reply|answer) to (every|each|all)\\b|\\bevery (single )?(email|message|reply|question) (will|gets)", I);
    private static final Pattern DASH_SIGNATURE = Pattern.compile("^\\s*(–|—|--?)\\s*\\p{Lu}[\\p{L}'.-]*(\\s.*)?$");
    private static final Pattern THANKS_SIGNATURE = Pattern.compile(
            "^\\s*(thanks|thank you|best|regards|best regards|cheers|sincerely|warmly)\\s*,\\s*(\\p{Lu}[\\p{L}'.-]*.*)?$", I);
    private static final Pattern NAME_LINE = Pattern.compile("^\\s*\\p{Lu}[\\p{L}'.-]*(\\s+[\\p{L}'.&-]+){0,6}\\s*$");

    private MessageChecklist() {}

    /** Reviews {@code markdown}; an empty draft fails every required item. */
    public static List<Check> review(String markdown) {
        String text = normalise(markdown == null ? "" : markdown);
        List<String> lines = text.lines().toList();
        List<String> sentences = sentences(text);
        List<Check> checks = new ArrayList<>();

        checks.add(check("apology", "An apology", true, APOLOGY.matcher(text).find(),
                "Say sorry in your own words, e.g. \"I'm sorry for the trouble this has caused you.\""));

        boolean happened = sentences.stream().anyMatch(s -> WHAT_HAPPENED_EVENT.matcher(s).find() && WHAT_HAPPENED_TIME.matcher(s).find());
        checks.add(check("what_happened", "What happened and when", false, happened,
                "Say plainly what happened and when, e.g. \"About an hour ago, spam was posted from some customers' accounts.\""));

        checks.add(check("who_affected", "Who is affected (and that not everyone is)", false, WHO_AFFECTED.matcher(text).find(),
                "Say who is affected and that not everyone is, e.g. \"Not everyone is affected: only customers with an X profile connected.\""));

        checks.add(whatToDo(lines));

        checks.add(check("not_affected", "What is not affected", true, NOT_AFFECTED.matcher(text).find(),
                "Say what is NOT affected, so readers do not fear the worst, e.g. \"Your passwords and billing details are not affected.\""));

        checks.add(whereUpdates(sentences));

        boolean invited = INVITATION.matcher(text).find();
        boolean promised = PROMISE.matcher(text).find();
        checks.add(check("reply_invitation", "An invitation to reply and a promise to answer", true, invited && promised,
                !invited ? "Invite readers to reply and promise an answer, e.g. \"Reply to this email with any question; we will answer every one.\""
                        : "Promise that every reply gets an answer, e.g. \"We will respond to every single email.\""));

        checks.add(check("signature", "A human signature", true, signed(lines),
                "End with a person's name, not just the company, e.g. a last line \"– Joel and the Signalbox team\" or \"Thanks, Joel\"."));

        int words = words(text);
        double grade = words == 0 ? 0 : grade(text);
        checks.add(check("readability", String.format(Locale.ROOT, "Plain words (reading grade %.1f)", grade), false, grade <= MAX_GRADE,
                String.format(Locale.ROOT, "Reading grade is %.1f; aim for %.0f or below: use shorter sentences and everyday words.", grade, MAX_GRADE)));
        checks.add(check("length", "Short enough (" + words + " words)", false, words <= MAX_WORDS,
                "This is " + words + " words; keep it under " + MAX_WORDS + " by moving the details to the status page."));
        return checks;
    }

    /** The required items that failed. */
    public static List<Check> failedRequired(List<Check> checks) {
        return checks.stream().filter(c -> c.required() && !c.ok()).toList();
    }

    private static Check check(String item, String label, boolean required, boolean ok, String hint) {
        return new Check(item, label, required, ok, ok ? null : hint);
    }

    /** A Markdown (or pasted •) list whose introduction, in the lines before its first item, reads as a call to act. */
    private static Check whatToDo(List<String> lines) {
        int first = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (LIST_ITEM.matcher(lines.get(i)).matches()) {
                // an action phrase in the first item, or in the paragraph just before the list
                StringBuilder intro = new StringBuilder(lines.get(i));
                int seen = 0;
                for (int j = i - 1; j >= 0 && seen < 3; j--) {
                    if (lines.get(j).isBlank()) continue;
                    if (LIST_ITEM.matcher(lines.get(j)).matches()) break;
                    intro.append(' ').append(lines.get(j));
                    seen++;
                }
                if (ACTION_PHRASE.matcher(intro).find()) {
                    return check("what_to_do", "What to do now, as a list", true, true, null);
                }
                if (first < 0) first = i;
            }
        }
        return check("what_to_do", "What to do now, as a list", true, false, first < 0
                ? "List what readers should do now, one step per line starting with \"- \", after a line such as \"What you should do now:\"."
                : "Introduce your list with what readers should do, e.g. \"What you should do now:\", so the steps read as steps.");
    }

    private static Check whereUpdates(List<String> sentences) {
        Set<String> named = new LinkedHashSet<>();
        for (String s : sentences) {
            if (!UPDATE_CONTEXT.matcher(s).find()) continue;
            for (int c = 0; c < CHANNELS.length; c++) if (CHANNELS[c].matcher(s).find()) named.add(CHANNEL_NAMES[c]);
        }
        return check("where_updates", named.isEmpty() ? "Where updates will be posted" : "Where updates will be posted (" + String.join(", ", named) + ")",
                false, !named.isEmpty(),
                "Say where the next updates will appear and name each place, e.g. \"We will post updates on our status page and on X.\"");
    }

    private static boolean signed(List<String> lines) {
        List<String> tail = lines.stream().filter(l -> !l.isBlank()).toList();
        if (tail.isEmpty()) return false;
        String last = tail.getLast().strip();
        String before = tail.size() > 1 ? tail.get(tail.size() - 2).strip() : "";
        if (THANKS_SIGNATURE.matcher(last).matches() && last.contains(",") && !last.strip().endsWith(",")) return true;
        if (THANKS_SIGNATURE.matcher(before).matches() && before.endsWith(",") && NAME_LINE.matcher(last).matches()) return true;
        if (!DASH_SIGNATURE.matcher(last).matches() || last.split("\\s+").length > 9) return false;
        // "- Name" is also how a Markdown list item starts: it signs only when it is not the end of a list.
        boolean hyphen = last.startsWith("-");
        return !hyphen || !LIST_ITEM.matcher(before).matches();
    }

    static String normalise(String markdown) {
        return markdown.replace('\u2019', '\'').replace('\u2018', '\'').replace("\r\n", "\n");
    }

    /** Sentences of the draft, with each line of a list counted as one (readers take them so). */
    static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        for (String block : text.split("\\n")) {
            String plain = plain(block);
            if (plain.isBlank()) continue;
            for (String s : plain.split("(?<=[.!?])\\s+")) if (!s.isBlank()) out.add(s.strip());
        }
        return out;
    }

    private static String plain(String line) {
        return line.replaceAll("^\\s{0,3}([-*+•>#]+|\\d{1,2}[.)])\\s+", "").replaceAll("\\[([^]]*)]\\([^)]*\\)", "$1")
                .replaceAll("[*_`#]", "").replaceAll("https?://\\S+", "link");
    }

    private static final Pattern WORD = Pattern.compile("\\p{L}[\\p{L}'-]*");

    static int words(String text) {
        int n = 0;
        Matcher m = WORD.matcher(plainAll(text));
        while (m.find()) n++;
        return n;
    }

    private static String plainAll(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\\n")) b.append(plain(line)).append('\n');
        return b.toString();
    }

    /**
     * Flesch–Kincaid grade level: 0.39 × words per sentence + 11.8 × syllables per word − 15.59,
     * with syllables estimated by vowel groups (a silent final "e" not counted, at least one per word).
     */
    static double grade(String text) {
        int sentences = Math.max(1, sentences(text).size());
        int words = 0;
        int syllables = 0;
        Matcher m = WORD.matcher(plainAll(text));
        while (m.find()) {
            words++;
            syllables += syllables(m.group());
        }
        if (words == 0) return 0;
        return 0.39 * words / sentences + 11.8 * syllables / words - 15.59;
    }

    static int syllables(String word) {
        String w = word.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
        if (w.isEmpty()) return 1;
        if (w.length() > 2 && w.endsWith("e") && !w.endsWith("le")) w = w.substring(0, w.length() - 1);
        int count = 0;
        boolean vowel = false;
        for (char c : w.toCharArray()) {
            boolean v = "aeiouy".indexOf(c) >= 0;
            if (v && !vowel) count++;
            vowel = v;
        }
        return Math.max(1, count);
    }
}
