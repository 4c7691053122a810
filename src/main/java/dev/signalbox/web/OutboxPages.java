package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.mail.Mailer;
import dev.signalbox.platform.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** `/outbox`: operators read every email Signalbox wrote (all of them, when no SMTP server is configured). */
@Controller
public final class OutboxPages {

    public static final String OUTBOX = "/outbox";

    private final Mailer mailer;
    private final boolean smtp;

    OutboxPages(Mailer mailer, ObjectProvider<JavaMailSender> sender) {
        this.mailer = mailer;
        this.smtp = sender.getIfAvailable() != null;
    }

    @GetMapping(OUTBOX)
    String outbox(@AuthenticationPrincipal CurrentUser user, HttpServletRequest request, Model model) {
        if (!user.isOperator()) throw ApiProblem.notFound("The page " + OUTBOX);
        model.addAttribute("page", new OutboxPage(PageHeader.of("Outbox", user, request), mailer.recent(200), smtp));
        return "outbox";
    }
}
