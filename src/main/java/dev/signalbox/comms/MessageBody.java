package dev.signalbox.comms;

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

    /** The plain-text version for email: paragraphs separated by a blank line, lists as "- ", links as "text" (url). */
    static String toPlainText(String markdown) {
        return TEXT.render(PARSER.parse(listed(markdown))).strip();
    }

    private static String listed(String markdown) {
        return markdown.replaceAll("(?m)^(\\s{0,3})\u2022\\s+", "$1- ");
    }
}
