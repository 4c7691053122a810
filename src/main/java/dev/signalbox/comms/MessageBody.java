package dev.signalbox.comms;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;
import org.commonmark.renderer.text.LineBreakRendering;
import org.commonmark.renderer.text.TextContentRenderer;
import org.owasp.html.HtmlPolicyBuilder;
import org.owasp.html.PolicyFactory;
import org.owasp.html.Sanitizers;

/**
 * An update's Markdown turned into the HTML the status page publishes. Raw HTML in the Markdown is
 * passed to the sanitiser, which keeps text formatting, lists, headings, quotes, code and http(s)/
 * mailto links only: no script or style, no event handler attributes, no javascript: URLs.
 */
final class MessageBody {

    private static final Parser PARSER = Parser.builder().build();
    private static final HtmlRenderer RENDERER = HtmlRenderer.builder().sanitizeUrls(true).build();
    private static final PolicyFactory POLICY = Sanitizers.FORMATTING.and(Sanitizers.BLOCKS).and(Sanitizers.LINKS)
            .and(new HtmlPolicyBuilder().allowElements("pre", "code", "hr", "br").toFactory());

    private static final TextContentRenderer TEXT = TextContentRenderer.builder()
            .lineBreakRendering(LineBreakRendering.SEPARATE_BLOCKS).build();

    private MessageBody() {}

    /** Lines starting with a pasted bullet (•) are list items, as the writer meant them. */
    static String toSafeHtml(String markdown) {
        return POLICY.sanitize(RENDERER.render(PARSER.parse(listed(markdown))));
    }

    /**
     * The text/plain part of an update's email: paragraphs separated by a blank line, lists as
     * "- ", links as "text" (url), so a reader without HTML still has every link. (The HTML part
     * is {@link #toSafeHtml}.)
     */
    static String toEmailText(String markdown) {
        return TEXT.render(PARSER.parse(listed(markdown))).strip();
    }

    private static String listed(String markdown) {
        return markdown.replaceAll("(?m)^(\\s{0,3})\u2022\\s+", "$1- ");
    }

    /**
     * The update as plain text (for email previews, social posts, the banner and webhooks), taken
     * from the sanitised HTML, so whatever the sanitiser removed (scripts, event handlers, raw
     * tags) never appears here either. Paragraphs are separated by a blank line; list items start
     * with "- ". The result is text, not HTML: escape it wherever it is shown in a page.
     */
    static String toPlainText(String markdown) {
        String html = toSafeHtml(markdown == null ? "" : markdown);
        String text = html.replaceAll("\\s*\n\\s*", " ").replaceAll("(?i)<li[^>]*>", "\n- ")
                .replaceAll("(?i)<br\\s*/?>", "\n")
                .replaceAll("(?i)</(p|h[1-6]|blockquote|pre|ul|ol)>", "\n")
                .replaceAll("(?i)<(p|h[1-6]|blockquote|pre|ul|ol|hr)[^>]*>", "\n")
                .replaceAll("<[^>]*>", "");
        text = unescape(text).replace('\u00a0', ' ');
        return text.lines().map(String::strip).reduce((a, b) -> a + "\n" + b).orElse("")
                .replaceAll("\n{3,}", "\n\n").strip();
    }

    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]+|#[xX][0-9a-fA-F]+|amp|lt|gt|quot|apos|nbsp);");

    private static String unescape(String s) {
        Matcher m = ENTITY.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String e = m.group(1);
            String c = switch (e) {
                case "amp" -> "&";
                case "lt" -> "<";
                case "gt" -> ">";
                case "quot" -> "\"";
                case "apos" -> "'";
                case "nbsp" -> " ";
                default -> Character.toString(e.startsWith("#x") || e.startsWith("#X")
                        ? Integer.parseInt(e.substring(2), 16) : Integer.parseInt(e.substring(1)));
            };
            m.appendReplacement(out, Matcher.quoteReplacement(c));
        }
        m.appendTail(out);
        return out.toString();
    }
}
